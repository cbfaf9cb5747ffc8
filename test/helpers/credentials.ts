// The fixed credentials of test servers: the admin API token every test server boots with
// (FRAMEHUB_ADMIN_TOKEN) and the cluster secret of the cluster tests' nodes. Test values
// only; no real deployment uses them.

export const ADMIN_TOKEN = 'fht_test-admin-token-0123456789abcdef';
/** FRAMEHUB_CLUSTER_SECRET of the cluster tests' nodes. */
export const CLUSTER_SECRET = 'test-cluster-secret-0123456789abcdefghijklmn';
