// The rule moved to src/domain/credit-plan.ts; this path stays for credit-batcher.ts until it imports it from there.
export { planCredit, type CreditPlan } from "../../domain/credit-plan";
