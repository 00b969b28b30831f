// Loaded before every test file (.mocharc.json "require"): servers started by tests log nothing
// unless SMP_LOG_LEVEL asks for it, and look a token's user up on every request (tests change
// users in the database directly; test/integration/actor-cache.test.ts tests the cache itself).
process.env.SMP_LOG_LEVEL ??= 'silent';
process.env.SMP_AUTH_CACHE_SECONDS ??= '0';
