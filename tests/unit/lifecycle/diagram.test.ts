/**
 * The README's state diagram is the transition table of domain/lifecycle.ts, drawn: every arrow
 * `from --> to: action [branch] — words` is one of the table's, and every arrow of the table is
 * drawn, so the two cannot drift apart.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ARROWS, CLOSED_STATUSES, INITIAL_STATUS, LIFECYCLE, TICKET_ACTIONS, type Arrow } from '../../../domain/lifecycle';
import { STATUSES, type TicketStatus } from '../../../domain/ticket';

interface Diagram {
  arrows: string[];
  starts: string[];
  ends: string[];
  problems: string[];
}

/** The arrows of a mermaid stateDiagram, each as `from --action[ branch]--> to`. */
function parseDiagram(mermaid: string): Diagram {
  const d: Diagram = { arrows: [], starts: [], ends: [], problems: [] };
  for (const raw of mermaid.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('stateDiagram') || line.startsWith('%%')) continue;
    const m = /^(\S+)\s*-->\s*([^\s:]+)\s*(?::\s*(.*))?$/.exec(line);
    if (!m) {
      d.problems.push(`not an arrow: ${line}`);
      continue;
    }
    const [, from, to, label = ''] = m as unknown as [string, string, string, string | undefined];
    if (from === '[*]') {
      d.starts.push(to);
      continue;
    }
    if (to === '[*]') {
      d.ends.push(from);
      continue;
    }
    const [action = '', second] = label.split(/\s+/);
    if (!(TICKET_ACTIONS as string[]).includes(action)) {
      d.problems.push(`'${line}': the label must start with an action (${TICKET_ACTIONS.join(', ')})`);
      continue;
    }
    const branching = typeof LIFECYCLE[action as keyof typeof LIFECYCLE].to === 'object';
    d.arrows.push(key({ from: from as TicketStatus, action: action as Arrow['action'], branch: branching ? second : undefined, to: to as TicketStatus }));
  }
  return d;
}

const key = (a: Arrow) => `${a.from} --${a.action}${a.branch ? ` ${a.branch}` : ''}--> ${a.to}`;

function readmeDiagram(): string {
  const readme = fs.readFileSync(path.resolve(import.meta.dirname, '../../../README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```mermaid\n(stateDiagram[\s\S]*?)```/g)].map((m) => m[1]!);
  expect(blocks, 'the README has one state diagram').toHaveLength(1);
  return blocks[0]!;
}

describe("the README's state diagram", () => {
  const diagram = parseDiagram(readmeDiagram());

  it('is made of arrows labelled with actions', () => {
    expect(diagram.problems).toEqual([]);
  });

  it('draws every arrow of the table, and no other', () => {
    const table = ARROWS.map(key).sort();
    const drawn = [...diagram.arrows].sort();
    expect(drawn.filter((a) => !table.includes(a)), 'drawn but not in the table').toEqual([]);
    expect(table.filter((a) => !drawn.includes(a)), 'in the table but not drawn').toEqual([]);
    expect(drawn).toEqual([...new Set(drawn)]);
  });

  it('starts in the initial status and ends in exactly the closed statuses', () => {
    expect(diagram.starts).toEqual([INITIAL_STATUS]);
    expect([...diagram.ends].sort()).toEqual([...CLOSED_STATUSES].sort());
  });

  it('names only statuses the ticket has', () => {
    const named = new Set(diagram.arrows.flatMap((a) => [a.split(' ')[0]!, a.split(' ').at(-1)!]));
    for (const s of named) expect(STATUSES).toContain(s);
  });
});

describe('the diagram parser', () => {
  it('reads an arrow, its branch for a branching action, and refuses a label without an action', () => {
    const d = parseDiagram(
      ['stateDiagram-v2', '  [*] --> triage: receive', '  triage --> answered: triage answer — directly', '  handling --> replied: reply (办结回复)', '  replied --> closed: the citizen is happy', '  closed --> [*]'].join('\n'),
    );
    expect(d.starts).toEqual(['triage']);
    expect(d.ends).toEqual(['closed']);
    expect(d.arrows).toEqual(['triage --triage answer--> answered', 'handling --reply--> replied']);
    expect(d.problems).toHaveLength(1);
    expect(d.problems[0]).toMatch(/^'replied --> closed: the citizen is happy': the label must start with an action/);
  });
});
