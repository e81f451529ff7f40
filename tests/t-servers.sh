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
	got=$(pt-infer --api $api -m m -u "$U" --retries 0 --max-wait 0 $TMPDIR/in.ndjson 2>/dev/null |
		jq -c '[.infer.status, .response, (.infer.reasoning != null), .infer.refusal, .infer.finish_reason]')
	check "$fx ($api): pt-infer" "$infer" "$got"
	jq -cn --arg r "answer [[pt: fixture=$fx]]" '{id:"j", benchmark:"diagnostic_reasoning", case_vignette:"c",
		question_text:"q", final_diagnosis:"d", response:$r}' > $TMPDIR/j.ndjson
	got=$(pt-judge --api $api -m judge -u "$U" --retries 0 --max-wait 0 $TMPDIR/j.ndjson 2>/dev/null |
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
anthropic_redacted_thinking| anthropic | ["ok","{\"score\": 12, \"justification\": \"final\"}",false,null,"end_turn"] | ["ok",12,"end_turn"]
anthropic_no_content       | anthropic | ["empty",null,false,null,"end_turn"]                                     | ["empty",null,"end_turn"]
anthropic_overloaded       | anthropic | ["http_error",null,false,null,null]                                      | ["http_error",null,null]
openrouter_reasoning       | openai    | ["ok","{\"score\": 12, \"justification\": \"final\"}",true,null,"stop"]   | ["ok",12,"stop"]
llamacpp_length            | openai    | ["truncated",null,false,null,"length"]                                   | ["truncated",null,"length"]
openai_null_content        | openai    | ["empty",null,false,null,"stop"]                                         | ["empty",null,"stop"]
azure_answer_filtered      | azure     | ["filtered",null,false,null,"content_filter"]                            | ["filtered",null,"content_filter"]
azure_prompt_filtered      | azure     | ["filtered",null,false,null,null]                                        | ["filtered",null,null]
openai_insufficient_quota  | openai    | ["http_error",null,false,null,null]                                      | ["http_error",null,null]
openai_unsupported_parameter | openai  | ["http_error",null,false,null,null]                                      | ["http_error",null,null]
openai_unsupported_value   | openai    | ["http_error",null,false,null,null]                                      | ["http_error",null,null]
openai_500_no_retry        | openai    | ["http_error",null,false,null,null]                                      | ["http_error",null,null]
vllm_context_length        | openai    | ["http_error",null,false,null,null]                                      | ["http_error",null,null]
T

# --- what is retried, what stops the run
check "529 overloaded is retried" "ok 2" \
	"$(status_attempts "[[pt: fixture=anthropic_overloaded; times=1]]" --api anthropic -m m -u "$U" --retries 2 --retry-after-cap 0)"
check "x-should-retry: false is not retried" "http_error 1" \
	"$(status_attempts "[[pt: fixture=openai_500_no_retry; times=1]]" -m m -u "$U" --retries 3)"
stops() {  # fixture message: the first request fails, the other four are not sent, said once
	msgsn q 5 "[[pt: fixture=$1]]" > $TMPDIR/in.ndjson
	: > $LOG; pt-infer -m m -u "$U" -j 1 -k --retries 3 --no-progress $TMPDIR/in.ndjson > $TMPDIR/o.ndjson 2>$TMPDIR/err; local st=$?
	check "$1: one request, the rest not_sent, exit 1" "1 1 http_error not_sent not_sent not_sent not_sent" \
		"$st $(wc -l < $LOG) $(jq -r .infer.status $TMPDIR/o.ndjson | tr '\n' ' ' | sed 's/ $//')"
	check "$1: said once" "1" "$(grep -c "$2; the remaining requests are not sent" $TMPDIR/err)"
}
stops openai_insufficient_quota "quota exhausted: check the account's billing and limits"
stops openai_unsupported_parameter "the model does not take a parameter as sent (pt-infer(1) says which option sends which field)"
stops openai_unsupported_value "the model does not take a parameter as sent (pt-infer(1) says which option sends which field)"
# a 400 about one record (its prompt too long) stops nothing
{ msgs "[[pt: fixture=vllm_context_length]]"; msgsn ok 3; } > $TMPDIR/in.ndjson
check "a record's own 400 stops nothing" "http_error ok ok ok" \
	"$(pt-infer -m m -u "$U" -j 1 -k $TMPDIR/in.ndjson 2>/dev/null | jq -r .infer.status | tr '\n' ' ' | sed 's/ $//')"

# --- token limits and reasoning in the totals
msgs "hello" > $TMPDIR/in.ndjson
: > $LOG; pt-infer -m m -u "$U" --max-completion-tokens 300 $TMPDIR/in.ndjson > /dev/null 2>&1
check "--max-completion-tokens sends max_completion_tokens only" "300 null" "$(jq -r '"\(.body.max_completion_tokens) \(.body.max_tokens)"' $LOG)"
check "--max-completion-tokens is not for anthropic" "2" "$(pt-infer --api anthropic -m m -u "$U" --max-completion-tokens 9 < /dev/null > /dev/null 2>&1; echo $?)"
msgs "[[pt: fixture=openai_usage_details]]" > $TMPDIR/in.ndjson
pt-infer -m m -u "$U" $TMPDIR/in.ndjson 2>$TMPDIR/err >/dev/null
check "totals count reasoning and cached prompt tokens" "1" "$(grep -c '2000 prompt + 300 completion tokens (256 reasoning, 1024 cached prompt)' $TMPDIR/err)"

# --- Azure as it is used today
AZ=${U%/v1}
msgs "hello" > $TMPDIR/in.ndjson
: > $LOG; pt-infer --api azure -m gpt-5 -u "$AZ/openai/deployments/a" --cache $TMPDIR/az $TMPDIR/in.ndjson > $TMPDIR/a.ndjson 2>/dev/null
pt-infer --api azure -m gpt-5 -u "$AZ/openai/deployments/b" --cache $TMPDIR/az $TMPDIR/in.ndjson > $TMPDIR/b.ndjson 2>/dev/null
check "Azure: the deployment is in the cache key" "2 false false" \
	"$(wc -l < $LOG) $(jq -r .infer.cached $TMPDIR/a.ndjson) $(jq -r .infer.cached $TMPDIR/b.ndjson)"
check "Azure: the default api-version" "api-version=2025-04-01-preview" "$(head -1 $LOG | jq -r .query)"
: > $LOG; pt-infer --api azure -m gpt-5 -u "$AZ/openai/v1" $TMPDIR/in.ndjson > /dev/null 2>&1
check "Azure v1 API: no api-version, the model in the body" "/openai/v1/chat/completions  gpt-5" "$(jq -r '"\(.path) \(.query) \(.body.model)"' $LOG)"
: > $LOG; env -u PT_API_KEY AZURE_OPENAI_AD_TOKEN=entra-tok pt-infer --api azure -m gpt-5 -u "$AZ/openai/v1" $TMPDIR/in.ndjson > /dev/null 2>&1
check "Azure: an Entra ID token as a bearer token" "Bearer entra-tok null" "$(jq -r '"\(.headers.authorization) \(.headers["api-key"])"' $LOG)"

# --- the router reads the answer after the reasoning (braces inside <think> were a parse_error)
printf '%s\n' '{"id":"r","final_diagnosis":"Sarcoidosis","test_plan":"Biopsy","question_text":"[[pt: fixture=router_think_braces; times=1]] plan?","response":"Biopsy"}' > $TMPDIR/auto.ndjson
check "--task auto: the task after the reasoning" "ok cpc_management" \
	"$(pt-judge -m j -u "$U" --task auto $TMPDIR/auto.ndjson 2>/dev/null | jq -r '"\(.judges[0].router.status) \(.judges[0].task)"')"

# --- --structured puts the score schema on judgements, not on the router
printf '%s\n' '{"id":"a2","final_diagnosis":"Sarcoidosis","test_plan":"Biopsy","question_text":"[[pt: route=cpc_management; judge=2]] plan?","response":"Biopsy"}' > $TMPDIR/auto.ndjson
: > $LOG; pt-judge -m j -u "$U" --structured --task auto $TMPDIR/auto.ndjson > $TMPDIR/o.ndjson 2>/dev/null
check "--structured --task auto routes, then judges with the schema" "null json_schema ok 2" \
	"$(jq -r .body.response_format.type $LOG | tr '\n' ' ')$(jq -r '"\(.judges[0].status) \(.predicted_score)"' $TMPDIR/o.ndjson)"

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
