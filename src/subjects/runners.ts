import type { Client } from '@microsoft/microsoft-graph-client';
import type { MonitorConfig } from '../config';
import { readWithinBudget } from '../graph/readBudget';
import type { Deadline } from '../net/deadline';
import type { Redactor } from '../redact';
import type { TokenPolicy } from '../rules/policy';
import { createAdeTokenReader } from './ade_token/reader';
import { adeFacts } from './ade_token/rules';
import type { CollectionReaderOptions } from './graphCollection';
import type { TokenFacts, TokenReadOutcome, TokenSubjectKind } from './token';
import { createVppTokenReader } from './vpp_token/reader';
import { vppFacts } from './vpp_token/rules';

/**
 * One watched token subject as the check runs it: read Graph (within the check's budget) and turn
 * what came back into the facts the shared token rules judge.
 */
export interface TokenSubjectRunner {
  subject: TokenSubjectKind;
  policy: TokenPolicy;
  read: (deadline: Deadline | undefined, now: Date) => Promise<TokenReadOutcome<TokenFacts>>;
}

const WHAT: Record<TokenSubjectKind, string> = { vpp_token: 'the VPP tokens', ade_token: 'the ADE tokens' };

export function createTokenSubjectRunners(config: Pick<MonitorConfig, 'watch' | 'tokenPolicies' | 'checkBudgetMs'>, client: Client, redact: Redactor, options: CollectionReaderOptions): TokenSubjectRunner[] {
  const runners: TokenSubjectRunner[] = [];
  for (const subject of config.watch) {
    if (subject === 'vpp_token') {
      const read = readWithinBudget(createVppTokenReader(client, options), config.checkBudgetMs, redact, WHAT[subject]);
      runners.push({ subject, policy: config.tokenPolicies[subject], read: async (deadline, now) => facts(await read(deadline), (t) => vppFacts(t, now)) });
    } else if (subject === 'ade_token') {
      const read = readWithinBudget(createAdeTokenReader(client, options), config.checkBudgetMs, redact, WHAT[subject]);
      runners.push({ subject, policy: config.tokenPolicies[subject], read: async (deadline) => facts(await read(deadline), adeFacts) });
    }
  }
  return runners;
}

function facts<T>(read: TokenReadOutcome<T>, map: (token: T) => TokenFacts): TokenReadOutcome<TokenFacts> {
  return read.kind === 'found' ? { kind: 'found', tokens: read.tokens.map(map) } : read;
}
