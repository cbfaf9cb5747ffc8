// Every bench case, in the order `all` runs them (soak only when named).
import { cluster } from './cluster.js';
import { fanout } from './fanout.js';
import { fleet } from './fleet.js';
import { http } from './http.js';
import { saturate } from './saturate.js';
import { slots } from './slots.js';
import { soak } from './soak.js';
import type { BenchCase } from './types.js';
import { workers } from './workers.js';

export const CASES: readonly BenchCase[] = [fleet, saturate, fanout, slots, workers, http, cluster, soak];
