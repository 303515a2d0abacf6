// The baseline: Fastify with nothing but one GET route and one urlencoded POST route.
import formbody from '@fastify/formbody';
import Fastify from 'fastify';
import { listenAndAnnounce } from './announce.ts';

const app = Fastify({ logger: false });
await app.register(formbody);

app.get('/', async () => 'hello');
app.post('/', async (request) => {
  const { name } = request.body as { name?: string };
  return `saved ${typeof name === 'string' ? name.length : 0}`;
});

await listenAndAnnounce(app);
