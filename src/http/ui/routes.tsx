import { Hono } from "hono";
import { createLoginThrottle } from "../../auth/login-throttle";
import { businessDate } from "../../domain/business-date";
import type { AppDeps } from "../deps";
import { alertRoutes } from "./pages/alerts";
import { bankRoutes } from "./pages/bank";
import { beneficiaryRoutes } from "./pages/beneficiaries";
import { beneficiaryEditRoutes } from "./pages/beneficiary-edit";
import { beneficiaryFormRoutes } from "./pages/beneficiary-form";
import { chargeEditRoutes } from "./pages/charge-edit";
import { chargeFormRoutes } from "./pages/charge-form";
import { closedAlertRoutes } from "./pages/closed-alerts";
import { creditRoutes } from "./pages/credits";
import { dashboardRoutes } from "./pages/dashboard";
import { deliveryRoutes } from "./pages/deliveries";
import { ibanFormRoutes } from "./pages/iban-form";
import { jobRoutes } from "./pages/jobs";
import { journalRoutes } from "./pages/journal";
import { leaseFormRoutes } from "./pages/lease-form";
import { ledgerRoutes } from "./pages/ledger";
import { loginRoutes, logoutRoutes } from "./pages/login";
import { matchingRuleRoutes } from "./pages/matching-rules";
import { measureFormRoutes } from "./pages/measure-form";
import { measureLifeRoutes } from "./pages/measure-life";
import { myAlertRoutes } from "./pages/my-alerts";
import { oneOffPaymentRoutes } from "./pages/one-off-payment-form";
import { passwordRoutes } from "./pages/password";
import { payerRoutes } from "./pages/payers";
import { paymentRoutes } from "./pages/payments";
import { proposalRoutes } from "./pages/proposals";
import { reversementPlanRoutes } from "./pages/reversement-plan";
import { secondFactorRoutes } from "./pages/second-factor";
import { staffRoutes } from "./pages/staff";
import { suspenseRoutes } from "./pages/suspense";
import { orderRoutes, transferRoutes } from "./pages/transfers";
import { requireSession, type UiDeps, type UiEnv } from "./session";

/**
 * The internal web UI (French), server-rendered with hono/jsx: session cookie
 * (HttpOnly, SameSite=Lax), a synchronizer CSRF token on every form, and the same
 * service verbs as the API underneath — caseworkers see only their caseload because
 * the services filter it.
 */
export function uiRoutes(appDeps: AppDeps, options: { secureCookies: boolean }) {
  const deps: UiDeps = {
    ...appDeps,
    today: appDeps.today ?? (() => businessDate()),
    now: appDeps.now ?? (() => new Date()),
    loginThrottle: appDeps.loginThrottle ?? createLoginThrottle(),
  };
  const ui = new Hono<UiEnv>();
  loginRoutes(ui, deps, options);
  ui.use("*", requireSession(deps));
  logoutRoutes(ui, deps);
  passwordRoutes(ui);
  myAlertRoutes(ui);
  secondFactorRoutes(ui, deps);
  staffRoutes(ui);
  dashboardRoutes(ui);
  // The fixed paths (`/beneficiaires/nouveau`) before the fiche's `/beneficiaires/:id`.
  beneficiaryFormRoutes(ui);
  measureFormRoutes(ui);
  measureLifeRoutes(ui);
  leaseFormRoutes(ui);
  chargeFormRoutes(ui);
  oneOffPaymentRoutes(ui);
  payerRoutes(ui);
  ibanFormRoutes(ui);
  ledgerRoutes(ui);
  beneficiaryEditRoutes(ui);
  chargeEditRoutes(ui);
  reversementPlanRoutes(ui);
  beneficiaryRoutes(ui);
  creditRoutes(ui);
  paymentRoutes(ui);
  transferRoutes(ui);
  orderRoutes(ui);
  closedAlertRoutes(ui);
  alertRoutes(ui);
  proposalRoutes(ui);
  jobRoutes(ui, deps);
  journalRoutes(ui);
  deliveryRoutes(ui);
  bankRoutes(ui);
  suspenseRoutes(ui);
  matchingRuleRoutes(ui);
  return ui;
}
