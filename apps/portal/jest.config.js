// The service's tests (src) and the SPA's plain-TypeScript modules (web/src: i18n, formatting, API helpers).
module.exports = { ...require('../../jest.preset.js'), roots: ['<rootDir>/src', '<rootDir>/web/src'] };
