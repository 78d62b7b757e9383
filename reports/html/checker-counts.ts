/**
 * How the report names and judges a count of an experiment's checkers (summary.json keeps them
 * by field name): a finding is a failure when above 0, a tally says how much was checked, a
 * duration is in ms.
 */
export interface CountMeaning {
  readonly label: string;
  readonly kind: "finding" | "tally" | "duration";
}

const KNOWN: Readonly<Record<string, CountMeaning>> = {
  lost: { label: "Lost", kind: "finding" },
  lostOnMinority: { label: "Lost on a minority", kind: "finding" },
  unreadable: { label: "Unreadable", kind: "finding" },
  duplicated: { label: "Duplicated", kind: "finding" },
  unexpected: { label: "Unexpected", kind: "finding" },
  reordered: { label: "Reordered", kind: "finding" },
  staleReads: { label: "Stale reads", kind: "finding" },
  failedOutsideFaults: { label: "Failed outside faults", kind: "finding" },
  maxDeliveries: { label: "Given up (MaxDeliver)", kind: "finding" },
  acknowledged: { label: "Acknowledged", kind: "tally" },
  recovered: { label: "Recovered", kind: "tally" },
  redelivered: { label: "Redelivered", kind: "tally" },
  gatewayUnavailableMs: { label: "Gateway unavailable", kind: "duration" },
};

/** `darkWindows` → "Dark windows"; a name ending in `Ms` is a duration. */
function fromFieldName(name: string): CountMeaning {
  const duration = /Ms$/.test(name);
  const words = (duration ? name.slice(0, -2) : name)
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/[_-]+/g, " ")
    .toLowerCase()
    .trim();
  return { label: words.charAt(0).toUpperCase() + words.slice(1), kind: duration ? "duration" : "tally" };
}

export function countMeaning(name: string): CountMeaning {
  return KNOWN[name] ?? fromFieldName(name);
}

/** Display order: findings first (Jepsen's queue classes leading), then tallies, then durations; each in the order above. */
export function orderCounts(names: Iterable<string>): string[] {
  const known = Object.keys(KNOWN);
  const rank = (name: string) => {
    const kinds = ["finding", "tally", "duration"];
    const index = known.indexOf(name);
    return kinds.indexOf(countMeaning(name).kind) * 1000 + (index === -1 ? 500 : index);
  };
  return [...new Set(names)].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}
