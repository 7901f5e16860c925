#!/usr/bin/env node
// Subscribes to ControlPlane routing tables with plain AMQP, verifies each one, and prints one JSON line per message.
//
//   AMQP_URL=amqp://guest:guest@127.0.0.1:5672/ \
//   TRUSTED_KEYS='{"cp-2025-06":"/etc/controlplane/cp-2025-06.pub.pem"}' \
//   MAX_MESSAGES=1 TIMEOUT_MS=30000 node subscribe.mjs
//
// TRUSTED_KEYS maps key ids to PEM text or to a PEM file path. Exits 0 after MAX_MESSAGES verified tables (0 = run
// forever), 2 on timeout. A real subscriber would also fetch GET /api/routing-table after every (re)connect and
// apply only versions newer than the one it holds (docs/protocol.md, "Subscriber algorithm").
import { readFileSync } from 'node:fs';
import amqp from 'amqplib';
import { verifyRoutingTableChanged } from './verify.mjs';

const EXCHANGE = 'controlplane.routing-table';
const url = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672/';
const maxMessages = Number(process.env.MAX_MESSAGES ?? '1');
const timeoutMs = Number(process.env.TIMEOUT_MS ?? '30000');
const trustedKeys = Object.fromEntries(
  Object.entries(JSON.parse(process.env.TRUSTED_KEYS ?? '{}'))
    .map(([id, v]) => [id, v.includes('-----BEGIN') ? v : readFileSync(v, 'utf8')]));

const print = (event) => console.log(JSON.stringify(event));

const connection = await amqp.connect(url);
const channel = await connection.createChannel();
await channel.assertExchange(EXCHANGE, 'fanout', { durable: true });
// Our own server-named queue: every instance gets every message; exclusive + auto-delete, gone when we are.
const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true, durable: false });
await channel.bindQueue(queue, EXCHANGE, '');

let current = 0;
let verified = 0;
const finish = async (code) => {
  clearTimeout(timer);
  await connection.close().catch(() => {});
  process.exit(code);
};
const timer = timeoutMs > 0 ? setTimeout(() => { print({ event: 'timeout', verified }); finish(2); }, timeoutMs) : null;

print({ event: 'ready', queue });
await channel.consume(queue, (msg) => {
  if (msg === null) return;
  // docs/protocol.md: `type` filters (a message without one is still verified); the 1 MiB limit comes before parsing.
  if (msg.properties.type && msg.properties.type !== 'RoutingTableChanged') {
    channel.ack(msg);
    return;
  }
  if (msg.content.length > 1024 * 1024) {
    print({ event: 'rejected', result: 'too-large' });
    channel.nack(msg, false, false);
    return;
  }
  let message;
  try {
    message = JSON.parse(msg.content.toString('utf8'));
  } catch {
    print({ event: 'rejected', result: 'malformed' });
    channel.nack(msg, false, false);
    return;
  }
  const result = verifyRoutingTableChanged(message, trustedKeys);
  if (result !== 'valid') {
    print({ event: 'rejected', result, version: message?.version ?? null });
    channel.nack(msg, false, false);
    return;
  }
  channel.ack(msg);
  if (message.version <= current) {
    print({ event: 'ignored', version: message.version, current });
    return;
  }
  current = message.version;
  verified++;
  print({ event: 'verified', version: message.version, keyId: message.keyId, routes: message.table.routes.length });
  if (maxMessages > 0 && verified >= maxMessages) finish(0);
});
