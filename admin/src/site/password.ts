// One-time passwords for invited accounts, made in the browser from
// crypto.getRandomValues: 20 characters of 57 (about 116 bits), none that
// reads like another (0/O, 1/l/I), well past the API's 10-character minimum.
const ALPHABET = 'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
export const ONE_TIME_PASSWORD_LENGTH = 20;

export function oneTimePassword(length = ONE_TIME_PASSWORD_LENGTH): string {
  // Rejection sampling: bytes past the last whole multiple of the
  // alphabet's size would favour its first characters.
  const limit = 256 - (256 % ALPHABET.length);
  let out = '';
  while (out.length < length) {
    const bytes = crypto.getRandomValues(new Uint8Array(length * 2));
    for (const byte of bytes) {
      if (byte < limit && out.length < length) out += ALPHABET[byte % ALPHABET.length];
    }
  }
  return out;
}
