// Display-only previews of secret values: at most the first and last 2 characters, never more.

const MIN_LENGTH_FOR_PREVIEW = 12;
const PREVIEW_CHARACTERS = 2;

export function maskValue(value: string): string {
  if (value === '') return '(empty)';
  const characters = Array.from(value); // code points, so a preview never splits an emoji into half a surrogate pair
  const length = `(${characters.length} ${characters.length === 1 ? 'char' : 'chars'})`;
  if (characters.length < MIN_LENGTH_FOR_PREVIEW) return `${'*'.repeat(characters.length)} ${length}`;
  const head = characters.slice(0, PREVIEW_CHARACTERS);
  const tail = characters.slice(-PREVIEW_CHARACTERS);
  return `${printable(head)}…${printable(tail)} ${length}`;
}

// Newlines, tabs and bidi controls in a preview would break or disguise the line it is shown on.
function printable(characters: string[]): string {
  return characters.map((character) => (/\p{C}/u.test(character) ? '·' : character)).join('');
}
