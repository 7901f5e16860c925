// The translation matrix: each client API (OpenAI Chat Completions, OpenAI Responses, Anthropic Messages), through the
// official SDKs unmodified, against routes whose only targets speak one API each (anthropic, openai, gemini), streaming
// and not, with and without a tool round trip. Asserts the content, tool calls, finish reasons and usage the client sees.
// Usage: GATEWAY_URL=http://127.0.0.1:8080 MATRIX_ROUTES=anthropic:chat,openai:gpt,gemini:gem node matrix.mjs
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';

const base = (process.env.GATEWAY_URL ?? 'http://127.0.0.1:8080').replace(/\/$/, '');
const routes = (process.env.MATRIX_ROUTES ?? 'anthropic:chat,openai:gpt,gemini:gem').split(',').map((r) => r.split(':'));
const apiKey = process.env.GATEWAY_KEY ?? 'no-key-needed';
const openai = new OpenAI({ baseURL: `${base}/v1`, apiKey, maxRetries: 0 });
const anthropic = new Anthropic({ baseURL: base, apiKey, maxRetries: 0 });

const directive = '[[call:get_weather {"city":"Paris"}]]';
const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
const passed = [];
const failed = [];

// Each API: one plain question, and a tool round trip (the simulator asks for get_weather, we answer "sunny").
const apis = {
  chat: {
    async ask(model, stream) {
      const request = { model, max_tokens: 64, messages: [{ role: 'user', content: 'ping' }] };
      const completion = stream
        ? await openai.chat.completions.stream({ ...request, stream_options: { include_usage: true } }).finalChatCompletion()
        : await openai.chat.completions.create(request);
      const choice = completion.choices[0];
      assert.equal(choice.message.content, 'pong');
      assert.equal(choice.finish_reason, 'stop');
      assert.ok(completion.usage.prompt_tokens > 0 && completion.usage.completion_tokens > 0, `usage ${JSON.stringify(completion.usage)}`);
    },
    async tool(model, stream) {
      const tools = [{ type: 'function', function: { name: 'get_weather', description: 'Weather in a city', parameters: schema } }];
      const messages = [{ role: 'user', content: `What is the weather? ${directive}` }];
      const call = async (msgs) => stream
        ? openai.chat.completions.stream({ model, max_tokens: 64, tools, messages: msgs, stream_options: { include_usage: true } }).finalChatCompletion()
        : openai.chat.completions.create({ model, max_tokens: 64, tools, messages: msgs });
      const first = await call(messages);
      const choice = first.choices[0];
      assert.equal(choice.finish_reason, 'tool_calls');
      assert.equal(choice.message.tool_calls.length, 1);
      const toolCall = choice.message.tool_calls[0];
      assert.equal(toolCall.function.name, 'get_weather');
      assert.deepEqual(JSON.parse(toolCall.function.arguments), { city: 'Paris' });
      assert.ok(first.usage.completion_tokens > 0, `usage ${JSON.stringify(first.usage)}`);
      const second = await call([...messages, choice.message, { role: 'tool', tool_call_id: toolCall.id, content: 'sunny' }]);
      assert.equal(second.choices[0].message.content, 'tool said: sunny');
      assert.equal(second.choices[0].finish_reason, 'stop');
    },
  },
  responses: {
    async ask(model, stream) {
      const request = { model, max_output_tokens: 64, input: 'ping' };
      const response = stream ? await openai.responses.stream(request).finalResponse() : await openai.responses.create(request);
      assert.equal(response.status, 'completed');
      assert.equal(response.output_text, 'pong');
      assert.ok(response.usage.input_tokens > 0 && response.usage.output_tokens > 0, `usage ${JSON.stringify(response.usage)}`);
    },
    async tool(model, stream) {
      const tools = [{ type: 'function', name: 'get_weather', description: 'Weather in a city', parameters: schema, strict: false }];
      const input = [{ role: 'user', content: `What is the weather? ${directive}` }];
      const call = async (items) => stream
        ? openai.responses.stream({ model, max_output_tokens: 64, tools, input: items }).finalResponse()
        : openai.responses.create({ model, max_output_tokens: 64, tools, input: items });
      const first = await call(input);
      const calls = first.output.filter((item) => item.type === 'function_call');
      assert.equal(calls.length, 1, `output ${JSON.stringify(first.output)}`);
      assert.equal(calls[0].name, 'get_weather');
      assert.deepEqual(JSON.parse(calls[0].arguments), { city: 'Paris' });
      const second = await call([...input, calls[0], { type: 'function_call_output', call_id: calls[0].call_id, output: 'sunny' }]);
      assert.equal(second.output_text, 'tool said: sunny');
      assert.equal(second.status, 'completed');
    },
  },
  messages: {
    async ask(model, stream) {
      const request = { model, max_tokens: 64, messages: [{ role: 'user', content: 'ping' }] };
      const message = stream ? await anthropic.messages.stream(request).finalMessage() : await anthropic.messages.create(request);
      assert.equal(message.content.filter((b) => b.type === 'text').map((b) => b.text).join(''), 'pong');
      assert.equal(message.stop_reason, 'end_turn');
      assert.ok(message.usage.input_tokens > 0 && message.usage.output_tokens > 0, `usage ${JSON.stringify(message.usage)}`);
    },
    async tool(model, stream) {
      const tools = [{ name: 'get_weather', description: 'Weather in a city', input_schema: schema }];
      const messages = [{ role: 'user', content: `What is the weather? ${directive}` }];
      const call = async (msgs) => stream
        ? anthropic.messages.stream({ model, max_tokens: 64, tools, messages: msgs }).finalMessage()
        : anthropic.messages.create({ model, max_tokens: 64, tools, messages: msgs });
      const first = await call(messages);
      assert.equal(first.stop_reason, 'tool_use');
      const uses = first.content.filter((b) => b.type === 'tool_use');
      assert.equal(uses.length, 1, `content ${JSON.stringify(first.content)}`);
      assert.equal(uses[0].name, 'get_weather');
      assert.deepEqual(uses[0].input, { city: 'Paris' });
      const second = await call([...messages, { role: 'assistant', content: first.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: uses[0].id, content: 'sunny' }] }]);
      assert.equal(second.content.filter((b) => b.type === 'text').map((b) => b.text).join(''), 'tool said: sunny');
      assert.equal(second.stop_reason, 'end_turn');
    },
  },
};

for (const [apiName, api] of Object.entries(apis)) {
  for (const [kind, route] of routes) {
    for (const stream of [false, true]) {
      for (const withTools of [false, true]) {
        const name = `${apiName} → ${kind}${stream ? ' stream' : ''}${withTools ? ' tools' : ''}`;
        try {
          await (withTools ? api.tool(route, stream) : api.ask(route, stream));
          passed.push(name);
        } catch (e) {
          failed.push(`${name}: ${e?.message ?? e}`);
        }
      }
    }
  }
}

try {
  await assert.rejects(openai.responses.create({ model: 'no-such-route', input: 'ping' }),
    (e) => e instanceof OpenAI.NotFoundError && e.status === 404);
  passed.push('responses error for an unknown route');
} catch (e) {
  failed.push(`responses error for an unknown route: ${e?.message ?? e}`);
}

console.log(JSON.stringify({ ok: failed.length === 0, passed: passed.length, failed }, null, 1));
process.exit(failed.length === 0 ? 0 : 1);
