import type { BenchCase } from './types.js';
export const workers: BenchCase = { name: 'workers', description: 'todo', run: async () => { throw new Error('todo'); } };
