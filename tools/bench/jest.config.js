// Unit tests of the benchmarks' own scoring code (not of anything's speed: no spec here times anything).
module.exports = { ...require('../../jest.preset.js'), roots: ['<rootDir>/rag', '<rootDir>/lib'] };
