import { NetworkError } from "./network-error.ts";

/**
 * The group of every node for `Network.partition(groups)`: nodes named in no group form one more
 * group together (index -1). Unknown nodes and nodes in two groups are errors.
 */
export function groupOfEachNode(nodes: readonly string[], groups: readonly (readonly string[])[]): Map<string, number> {
  const groupOf = new Map<string, number>();
  groups.forEach((group, index) => {
    for (const name of group) {
      if (!nodes.includes(name)) throw NetworkError.unknownNode(name, nodes);
      if (groupOf.has(name)) throw NetworkError.duplicateNode(name);
      groupOf.set(name, index);
    }
  });
  for (const name of nodes) if (!groupOf.has(name)) groupOf.set(name, -1);
  return groupOf;
}
