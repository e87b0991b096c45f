// Starts the telegram-test-api emulator for chengnuo's end-to-end tests
// (cmd/chengnuo/telegram_e2e_test.go): on 127.0.0.1, port $TELEGRAM_TEST_PORT. It prints
// "ready" once listening, and stops on SIGTERM/SIGINT or when its stdin closes (the Go
// test that started it is gone), so no emulator outlives its test.
'use strict';

const TelegramServer = require('telegram-test-api');

const port = Number(process.env.TELEGRAM_TEST_PORT);
if (!Number.isInteger(port) || port <= 0) {
  console.error('set TELEGRAM_TEST_PORT to the port to listen on');
  process.exit(2);
}

// storeTimeout: keep every message for the whole test run (the default drops them after 60 s).
const server = new TelegramServer({ port, host: '127.0.0.1', storeTimeout: 3600 });

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  try {
    await server.stop();
  } finally {
    process.exit(0);
  }
}

process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.resume();

server.start().then(
  () => console.log('ready'),
  (err) => {
    console.error(`emulator did not start: ${err}`);
    process.exit(1);
  },
);
