// Loaded before every test file (.mocharc.json "require"): servers started by tests log nothing
// unless SMP_LOG_LEVEL asks for it.
process.env.SMP_LOG_LEVEL ??= 'silent';
