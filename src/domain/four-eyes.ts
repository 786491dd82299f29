/**
 * Four eyes (maker-checker): a proposal waits for a second person. A proposal that is no
 * longer valid when approved stays pending (the approval answers the verb's refusal and
 * writes nothing), so it can be approved once the situation allows or be rejected.
 */
export const PROPOSAL_STATUSES = ["pending_approval", "approved", "rejected"] as const;
export type ProposalStatus = (typeof PROPOSAL_STATUSES)[number];
