// The one form of every id the server mints (crypto.randomUUID: lowercase, hyphenated), checked wherever a request names one.

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
