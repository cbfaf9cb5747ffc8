import type { BenchCase } from './types.js';
export const http: BenchCase = { name: 'http', description: 'todo', run: async () => { throw new Error('todo'); } };
