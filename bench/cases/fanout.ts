import type { BenchCase } from './types.js';
export const fanout: BenchCase = { name: 'fanout', description: 'todo', run: async () => { throw new Error('todo'); } };
