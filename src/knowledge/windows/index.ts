/** Windows value tables that answer-file settings and the config share. */
export * from './locales.js';
export * from './time-zones.js';
