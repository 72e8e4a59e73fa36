// The schedule expressions and time zones Application Auto Scaling accepts for scheduled actions
// (PutScheduledAction: `at(…)`, `rate(…)`, `cron(…)` with six fields, IANA time zones). Checked at
// synth so a typo fails `cdk synth` with the setting's path instead of a rollback mid-deploy.

const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const AT = /^at\((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\)$/;
const CRON = /^cron\(([^()]+)\)$/;

/** Characters each cron field may use (minutes, hours, day-of-month, month, day-of-week, year). */
const CRON_FIELDS: readonly [string, RegExp][] = [
  ['minutes', /^[\d,\-*/]+$/],
  ['hours', /^[\d,\-*/]+$/],
  ['day-of-month', /^([\d,\-*/LW]+|\?)$/],
  ['month', /^([\d,\-*/]|JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)+$/i],
  ['day-of-week', /^([\d,\-*/L#]|SUN|MON|TUE|WED|THU|FRI|SAT)+$|^\?$/i],
  ['year', /^[\d,\-*/]+$/],
];

/** Why `expression` is not a schedule Application Auto Scaling takes, or undefined when it is. */
export function scheduleProblem(expression: string): string | undefined {
  const rate = RATE.exec(expression);
  if (rate) {
    const value = Number(rate[1]);
    const unit = rate[2] ?? '';
    if (value < 1) return 'rate(…) needs a value of at least 1';
    if ((value === 1) !== !unit.endsWith('s'))
      return `rate(…) takes the singular unit for 1 and the plural otherwise ("rate(1 hour)", "rate(5 minutes)")`;
    return undefined;
  }
  const at = AT.exec(expression);
  if (at) {
    const [, y, mo, d, h, mi, s] = at.map(Number);
    const date = new Date(Date.UTC(y ?? 0, (mo ?? 0) - 1, d ?? 0, h ?? 0, mi ?? 0, s ?? 0));
    const valid =
      date.getUTCFullYear() === y &&
      date.getUTCMonth() + 1 === mo &&
      date.getUTCDate() === d &&
      (h ?? 99) < 24 &&
      (mi ?? 99) < 60 &&
      (s ?? 99) < 60;
    return valid ? undefined : 'at(…) must name a real date and time, yyyy-mm-ddThh:mm:ss';
  }
  const cron = CRON.exec(expression);
  if (cron) {
    const fields = (cron[1] ?? '').trim().split(/\s+/);
    if (fields.length !== CRON_FIELDS.length)
      return `cron(…) needs 6 fields (minutes hours day-of-month month day-of-week year), got ${fields.length}`;
    for (const [i, [name, pattern]] of CRON_FIELDS.entries())
      if (!pattern.test(fields[i] ?? '')) return `cron(…) has an invalid ${name} field "${fields[i]}"`;
    if ((fields[2] === '?') === (fields[4] === '?'))
      return 'cron(…) needs "?" in exactly one of day-of-month and day-of-week';
    return undefined;
  }
  return 'must be cron(…) with 6 fields, rate(<n> <unit>) or at(yyyy-mm-ddThh:mm:ss)';
}

/** Whether `name` is an IANA time zone this Node.js knows (Application Auto Scaling takes IANA names). */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return name.length > 0;
  } catch {
    return false;
  }
}
