#!/bin/bash
# Conformance: replies shaped as the OpenAI, Azure, vLLM, llama.cpp, Ollama
# and Anthropic documentation describes them (tests/fixtures/replies/*.json,
# each naming its page), served by the local test server. For each: what
# pt-infer records, and what pt-judge scores (diagnostic_reasoning, 0-19).
. "$PT_TOP/tests/lib.sh"
U=$(start_server s)
LOG=$TMPDIR/s.log
export PT_API_KEY=sk-test
# fixture api | infer: status, response, reasoning kept, refusal, finish_reason | judge: status, score
while IFS='|' read -r fx api infer judge; do
	case $fx in ''|'#'*) continue;; esac
	fx=${fx// /} api=${api// /}
	infer=$(echo $infer) judge=$(echo $judge)
	msgs "[[pt: fixture=$fx]]" > $TMPDIR/in.ndjson
	got=$(pt-infer --api $api -m m -u "$U" --retries 0 $TMPDIR/in.ndjson 2>/dev/null |
		jq -c '[.infer.status, .response, (.infer.reasoning != null), .infer.refusal, .infer.finish_reason]')
	check "$fx ($api): pt-infer" "$infer" "$got"
	jq -cn --arg r "answer [[pt: fixture=$fx]]" '{id:"j", benchmark:"diagnostic_reasoning", case_vignette:"c",
		question_text:"q", final_diagnosis:"d", response:$r}' > $TMPDIR/j.ndjson
	got=$(pt-judge --api $api -m judge -u "$U" --retries 0 $TMPDIR/j.ndjson 2>/dev/null |
		jq -c '[.judges[-1].status, .predicted_score, .judges[-1].finish_reason]')
	check "$fx ($api): pt-judge" "$judge" "$got"
done <<'T'
think_draft_then_final     | openai    | ["ok","{\"score\": 12, \"justification\": \"final\"}",true,null,"stop"]   | ["ok",12,"stop"]
think_fenced_draft         | openai    | ["ok","```json\n{\"score\": 12, \"justification\": \"final\"}\n```",true,null,"stop"] | ["ok",12,"stop"]
think_cut_off              | openai    | ["truncated",null,true,null,"length"]                                    | ["truncated",null,"length"]
think_score_then_prose     | openai    | ["ok","After review, the score is twelve.",true,null,"stop"]             | ["parse_error",null,"stop"]
r1_lone_close              | openai    | ["ok","{\"score\": 12, \"justification\": \"final\"}",true,null,"stop"]   | ["ok",12,"stop"]
vllm_reasoning_content     | openai    | ["ok","{\"score\": 12, \"justification\": \"final\"}",true,null,"stop"]   | ["ok",12,"stop"]
vllm_reasoning_field       | openai    | ["ok","{\"score\": 12, \"justification\": \"final\"}",true,null,"stop"]   | ["ok",12,"stop"]
llamacpp_reasoning_content | openai    | ["ok","{\"score\": 12, \"justification\": \"final\"}",true,null,"stop"]   | ["ok",12,"stop"]
openai_length              | openai    | ["truncated",null,false,null,"length"]                                   | ["truncated",null,"length"]
openai_empty_length        | openai    | ["truncated",null,false,null,"length"]                                   | ["truncated",null,"length"]
openai_content_filter      | azure     | ["filtered",null,false,null,"content_filter"]                            | ["filtered",null,"content_filter"]
openai_refusal             | openai    | ["refused",null,false,"I'm sorry, I can't help with that.","stop"]       | ["refused",null,"stop"]
openai_usage_details       | openai    | ["ok","{\"score\": 12, \"justification\": \"final\"}",false,null,"stop"]  | ["ok",12,"stop"]
ollama_length              | openai    | ["truncated",null,false,null,"length"]                                   | ["truncated",null,"length"]
ollama_whitespace          | openai    | ["empty",null,false,null,"stop"]                                         | ["empty",null,"stop"]
anthropic_thinking         | anthropic | ["ok","{\"score\": 12, \"justification\": \"final\"}",true,null,"end_turn"] | ["ok",12,"end_turn"]
anthropic_max_tokens       | anthropic | ["truncated",null,false,null,"max_tokens"]                               | ["truncated",null,"max_tokens"]
anthropic_refusal          | anthropic | ["refused",null,false,"I can't help with that.","refusal"]               | ["refused",null,"refusal"]
T

# what an incomplete answer keeps: the partial text, the reason, the usage
msgs "[[pt: fixture=openai_length]]" > $TMPDIR/in.ndjson
check "truncated keeps the partial text and says why" \
	'{"partial":"{\"score\": 1","error":"the answer was cut off at the token limit"}' \
	"$(pt-infer -m m -u "$U" $TMPDIR/in.ndjson 2>/dev/null | jq -c '{partial: .infer.partial, error: .infer.error}')"
msgs "[[pt: fixture=openai_usage_details]]" > $TMPDIR/in.ndjson
check "usage: reasoning and cached tokens" '{"prompt_tokens":2000,"completion_tokens":300,"reasoning_tokens":256,"cached_tokens":1024}' \
	"$(pt-infer -m m -u "$U" $TMPDIR/in.ndjson 2>/dev/null | jq -c .infer.usage)"
msgs "[[pt: fixture=vllm_reasoning_content]]" > $TMPDIR/in.ndjson
check "reasoning kept beside the answer, never in response" '"Thinking {\"score\": 5} over."' \
	"$(pt-infer -m m -u "$U" $TMPDIR/in.ndjson 2>/dev/null | jq -c .infer.reasoning)"

# cache: an incomplete answer is asked again on the next run; a complete one is not
msgs "[[pt: fixture=openai_length]]" "[[pt: fixture=think_draft_then_final]]" > $TMPDIR/in.ndjson
pt-infer -m m -u "$U" --cache $TMPDIR/c $TMPDIR/in.ndjson > /dev/null 2>&1
: > $LOG; pt-infer -m m -u "$U" --cache $TMPDIR/c -k $TMPDIR/in.ndjson > $TMPDIR/o.ndjson 2>/dev/null
check "cache: the truncated answer asked again, the complete one from the cache" "1 truncated:false ok:true" \
	"$(wc -l < $LOG) $(jq -r '"\(.infer.status):\(.infer.cached)"' $TMPDIR/o.ndjson | tr '\n' ' ' | sed 's/ $//')"
