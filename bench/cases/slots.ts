import type { BenchCase } from './types.js';
export const slots: BenchCase = { name: 'slots', description: 'todo', run: async () => { throw new Error('todo'); } };
