/**
 * Removes secret values (client secrets, webhook URLs and their signatures, keys) from text bound for
 * logs, errors or history. URLs are also cut to their origin, since a webhook URL's path and query are
 * the credential.
 */
export function createRedactor(secrets: readonly string[]): (text: string) => string {
  const ordered = [...new Set(secrets.filter((s) => s.length >= 8))].sort((a, b) => b.length - a.length);
  return (text: string) => {
    let out = text;
    for (const secret of ordered) out = out.split(secret).join('[redacted]');
    return out
      .replace(/\b(https?:\/\/[A-Za-z0-9.\-[\]]+(?::\d+)?)([/?#][^\s"']*)?/g, (_m, origin: string, rest?: string) => (rest === undefined || rest === '/' ? `${origin}${rest ?? ''}` : `${origin}/[redacted]`))
      .replace(/\b(sig|code|key|secret|token)=([^&\s"']+)/gi, '$1=[redacted]');
  };
}

export type Redactor = (text: string) => string;
