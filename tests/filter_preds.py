#!/usr/bin/env python3
"""Random jq selection predicates from the native forms (tests/t-filter-diff.sh):
filter_preds.py SEED N prints N of them, deterministically."""
import random, sys
R = random.Random(int(sys.argv[1]))
paths = ['.study', '.model', '.grade', '.max_score', '.tags', '.nested.x', '.s', '.id', '.nope', '.tags[0]', '.["study"]', '.']
strs = ['"brodeur"', '"gpt-4"', '""', '"a"', '"12"', '"ü"', '$m']
nums = ['0', '10', '-2.5', '1e3', '12', '$g']
def val(d):
    c = R.random()
    if d <= 0 or c < 0.4: return R.choice(paths)
    if c < 0.55: return R.choice(strs)
    if c < 0.7: return R.choice(nums + ['null', 'true', 'false'])
    if c < 0.8: return '(%s // %s)' % (val(d-1), val(d-1))
    return '(%s | %s)' % (R.choice(paths), R.choice(['length', 'ascii_downcase', 'not']))
def pred(d):
    c = R.random()
    if d <= 0 or c < 0.35:
        return '%s %s %s' % (val(1), R.choice(['==', '!=', '<', '<=', '>', '>=']), val(1))
    if c < 0.5: return '(%s) and (%s)' % (pred(d-1), pred(d-1))
    if c < 0.65: return '(%s) or (%s)' % (pred(d-1), pred(d-1))
    if c < 0.7: return '(%s) | not' % pred(d-1)
    if c < 0.8: return '%s | %s(%s)' % (val(1), R.choice(['startswith', 'endswith', 'contains']), R.choice(strs))
    if c < 0.85: return 'has(%s)' % R.choice(['"study"', '"tags"', '"x"'])
    if c < 0.9: return '%s | test(%s)' % (val(1), R.choice(['"^b"', '"4$"', '"a"; "i"']))
    return '%s // %s' % (pred(d-1), pred(d-1))
for i in range(int(sys.argv[2])):
    print(pred(3))
