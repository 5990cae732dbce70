import type { EmailAddress } from '../jmap/types';

/** Address fields as people type them: "Mario Rossi <mario@example.com>, \"Rossi, Anna\" <anna@example.com>; bob@x". */

const EMAIL = /^[^\s@<>(),;:"[\]\\]+@[^\s@<>(),;:"[\]\\]+\.[^\s@<>(),;:"[\]\\.]+$|^[^\s@<>(),;:"[\]\\]+@localhost$/i;

export function isValidEmail(email: string): boolean {
  return EMAIL.test(email.trim());
}

export interface ParsedAddresses {
  addresses: EmailAddress[];
  /** the pieces that are not an address, as typed */
  invalid: string[];
}

/** Splits on commas and semicolons outside double quotes and angle brackets. */
function splitList(input: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  let angle = false;
  for (let i = 0; i < input.length; i++) {
    const c = input[i];
    if (c === '\\' && quoted && i + 1 < input.length) {
      current += c + input[i + 1];
      i++;
      continue;
    }
    if (c === '"') {
      quoted = !quoted;
    } else if (!quoted && c === '<') {
      angle = true;
    } else if (!quoted && c === '>') {
      angle = false;
    }
    if ((c === ',' || c === ';') && !quoted && !angle) {
      parts.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  parts.push(current);
  return parts.map((part) => part.trim()).filter((part) => part.length > 0);
}

function unquote(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"')) {
    return trimmed.slice(1, -1).replace(/\\(.)/g, '$1');
  }
  return trimmed;
}

export function parseAddress(text: string): EmailAddress | null {
  const trimmed = text.trim();
  const angle = trimmed.match(/^(.*?)<([^<>]*)>\s*$/s);
  if (angle) {
    const email = angle[2].trim();
    if (!isValidEmail(email)) {
      return null;
    }
    const name = unquote(angle[1]);
    return name ? { name, email } : { email };
  }
  return isValidEmail(trimmed) ? { email: trimmed } : null;
}

export function parseAddressList(input: string): ParsedAddresses {
  const addresses: EmailAddress[] = [];
  const invalid: string[] = [];
  const seen = new Set<string>();
  for (const part of splitList(input)) {
    const address = parseAddress(part);
    if (!address) {
      invalid.push(part);
    } else if (!seen.has(address.email.toLowerCase())) {
      seen.add(address.email.toLowerCase());
      addresses.push(address);
    }
  }
  return { addresses, invalid };
}

/** "Name <email>" (the name quoted when it holds specials), or the bare address. */
export function formatAddress(address: EmailAddress): string {
  const name = address.name?.trim();
  if (!name || name.toLowerCase() === address.email.toLowerCase()) {
    return address.email;
  }
  const needsQuotes = /[(),.:;<>@[\]\\"]/.test(name);
  const shown = needsQuotes ? `"${name.replace(/(["\\])/g, '\\$1')}"` : name;
  return `${shown} <${address.email}>`;
}

export function formatAddressList(addresses: EmailAddress[] | null | undefined): string {
  return (addresses ?? []).map(formatAddress).join(', ');
}

/** What the list shows: the name, else the address. */
export function displayName(address: EmailAddress | null | undefined): string {
  if (!address) {
    return '';
  }
  return address.name?.trim() || address.email;
}

export function displayNames(addresses: EmailAddress[] | null | undefined): string {
  return (addresses ?? []).map(displayName).join(', ');
}

export function sameAddress(a: EmailAddress, b: EmailAddress): boolean {
  return a.email.trim().toLowerCase() === b.email.trim().toLowerCase();
}
