import type { BenchCase } from './types.js';
export const saturate: BenchCase = { name: 'saturate', description: 'todo', run: async () => { throw new Error('todo'); } };
