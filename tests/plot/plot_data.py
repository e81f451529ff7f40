"""Extra box-plot datasets: outliers on both sides, skew, one value, all equal."""
import random
R = random.Random(42)
EXTRA = {
    "outliers": [{"g": "A", "v": v} for v in [1, 2, 2, 3, 3, 3, 4, 4, 5, 30, -20, 31]] +
                [{"g": "B", "v": v} for v in [10, 10, 10, 10, 11, 50]],
    "skewed": [{"g": "S", "v": round(R.expovariate(0.3), 3)} for _ in range(300)],
    "one_value": [{"g": "one", "v": 7.5}],
    "flat": [{"g": "flat", "v": 4} for _ in range(9)] + [{"g": "flat", "v": 4.5}],
    "with_nulls": [{"g": "N", "v": v} for v in [None, 1, "x", 2, 3, None, 10]] + [{"g": "empty", "v": None}],
}
