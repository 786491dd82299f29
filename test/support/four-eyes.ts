import type { ApiResponse, Headers } from "./app";

type Call = (method: string, path: string, body?: unknown, headers?: Headers) => Promise<ApiResponse>;

/**
 * A caller for verbs under four eyes: a request answered `202` (proposed) is approved at
 * once by `approver` (someone else), and the approval's answer — the verb's own — is returned.
 */
export function approvedBy(call: Call, approver: () => Headers): Call {
  return async (method, path, body, headers) => {
    const res = await call(method, path, body, headers);
    if (res.status !== 202) return res;
    return call("POST", `/v1/proposals/${res.body.proposalId}/approval`, { comment: "vu" }, approver());
  };
}
