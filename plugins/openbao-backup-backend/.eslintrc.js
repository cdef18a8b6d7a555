module.exports = require('@backstage/cli/config/eslint-factory')(__dirname, {
  rules: {
    // The fault suites assert through `judge` (records the table row, then expects).
    'jest/expect-expect': ['warn', { assertFunctionNames: ['expect', 'judge'] }],
  },
});
