// Points the official SDKs, unmodified, at a ControlPlane gateway and checks streaming and non-streaming calls.
// Usage: GATEWAY_URL=http://127.0.0.1:8080 GATEWAY_ROUTE=chat [GATEWAY_KEY=...] node check.mjs
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';

const base = (process.env.GATEWAY_URL ?? 'http://127.0.0.1:8080').replace(/\/$/, '');
const model = process.env.GATEWAY_ROUTE ?? 'chat';
const apiKey = process.env.GATEWAY_KEY ?? 'no-key-needed';
const messages = [{ role: 'user', content: 'ping' }];
const passed = [];

async function check(name, fn) {
  await fn();
  passed.push(name);
}

const openai = new OpenAI({ baseURL: `${base}/v1`, apiKey, maxRetries: 0 });
const anthropic = new Anthropic({ baseURL: base, apiKey, maxRetries: 0 });

await check('openai chat.completions.create', async () => {
  const completion = await openai.chat.completions.create({ model, messages, max_tokens: 16 });
  assert.equal(completion.choices[0].message.content, 'pong');
});

await check('openai chat.completions.create stream', async () => {
  const stream = await openai.chat.completions.create({
    model, messages, max_tokens: 16, stream: true, stream_options: { include_usage: true },
  });
  let text = '';
  let usage = null;
  for await (const chunk of stream) {
    text += chunk.choices[0]?.delta?.content ?? '';
    usage = chunk.usage ?? usage;
  }
  assert.equal(text, 'pong');
  assert.ok(usage, 'the usage chunk came through');
});

await check('openai models.list', async () => {
  const ids = [];
  for await (const m of openai.models.list()) ids.push(m.id);
  assert.ok(ids.includes(model), `routes listed as models: ${ids}`);
});

await check('openai error for an unknown route', async () => {
  await assert.rejects(
    openai.chat.completions.create({ model: 'no-such-route', messages }),
    (e) => e instanceof OpenAI.NotFoundError && e.status === 404);
});

await check('anthropic messages.create', async () => {
  const message = await anthropic.messages.create({ model, max_tokens: 16, messages });
  assert.equal(message.content[0].text, 'pong');
});

await check('anthropic messages.create stream', async () => {
  const stream = await anthropic.messages.create({ model, max_tokens: 16, messages, stream: true });
  let text = '';
  let stopped = false;
  for await (const event of stream) {
    if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text;
    if (event.type === 'message_stop') stopped = true;
  }
  assert.equal(text, 'pong');
  assert.ok(stopped);
});

await check('anthropic messages.stream helper', async () => {
  const final = await anthropic.messages.stream({ model, max_tokens: 16, messages }).finalMessage();
  assert.equal(final.content[0].text, 'pong');
});

await check('anthropic models.list', async () => {
  const ids = [];
  for await (const m of anthropic.models.list()) ids.push(m.id);
  assert.ok(ids.includes(model), `routes listed as models: ${ids}`);
});

await check('anthropic error for an unknown route', async () => {
  await assert.rejects(
    anthropic.messages.create({ model: 'no-such-route', max_tokens: 16, messages }),
    (e) => e instanceof Anthropic.NotFoundError && e.status === 404);
});

console.log(JSON.stringify({ ok: true, passed }));
