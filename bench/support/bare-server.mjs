// The ingest ceiling: a bare node:http server that reads the whole body and answers 202 with a
// small JSON body, the least any webhook receiver does. PORT from the environment.
import { createServer } from 'node:http';

createServer((request, response) => {
  if (request.url === '/health') {
    response.writeHead(200).end('ok');
    return;
  }
  const parts = [];
  request.on('data', (part) => parts.push(part));
  request.on('end', () => {
    const bytes = Buffer.concat(parts).length;
    response.writeHead(202, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ status: 'accepted', bytes }));
  });
}).listen(Number(process.env.PORT), '127.0.0.1');
