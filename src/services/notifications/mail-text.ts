import type { AlertKind } from "../../domain/finance-alerts";
import { formatEuros } from "../../domain/money";
import type { AlertEventKind } from "../../domain/notifications";

/** A mail, both versions; no IBAN and no CAF number ever reach these texts (only the fields below are read). */
export interface MailText {
  subject: string;
  text: string;
  html: string;
}

/** What one alert version says, as the mail needs it (the beneficiary reduced to a short name). */
export interface AlertSummary {
  alertId: string;
  beneficiaryId: string;
  /** First name and initial of the last name. */
  who: string;
  type: AlertKind;
  kind: AlertEventKind;
  periods: readonly string[];
  evidence: Record<string, unknown>;
}

const LABELS: Record<AlertKind, string> = {
  unpaid_rent: "Impayé de loyer",
  masp3_trigger: "Déclencheur MASP 3 (L.271-5)",
  charge_arrears: "Charge impayée",
  no_credit_received: "Aucune prestation reçue",
  housing_aid_without_lease: "Aide au logement sans bail",
  measure_ending: "Fin de mesure proche",
  payment_rejected: "Virement rejeté par la banque",
  payment_returned: "Virement retourné par la banque",
  statement_inconsistent: "Relevé bancaire incohérent",
  bank_difference: "Écart entre le grand livre et la banque",
};

const TO_DO: Record<AlertKind, string> = {
  unpaid_rent: "Contactez la personne et le bailleur, vérifiez les prestations reçues et le bail, puis organisez la régularisation de l'impayé.",
  masp3_trigger:
    "Deux mois de loyer consécutifs sont impayés (art. L.271-5 CASF) : préparez le rapport au Président du Conseil départemental en vue d'une MASP 3.",
  charge_arrears: "Vérifiez l'échéancier de la charge et prenez contact avec le créancier.",
  no_credit_received: "Vérifiez auprès de l'organisme payeur que les prestations sont bien versées.",
  housing_aid_without_lease: "Renseignez le bail sur la fiche, ou signalez la situation à l'organisme payeur de l'aide au logement.",
  measure_ending: "Préparez le bilan de la mesure et, s'il y a lieu, la demande de renouvellement.",
  payment_rejected: "Vérifiez les coordonnées bancaires du destinataire, puis émettez à nouveau le paiement.",
  payment_returned: "Identifiez le motif du retour et émettez à nouveau le paiement vers le bon destinataire.",
  statement_inconsistent: "Rapprochez le relevé de la banque et signalez l'anomalie à la banque si nécessaire.",
  bank_difference: "Rapprochez le grand livre et le relevé bancaire, puis corrigez l'écart.",
};

const HEADINGS: Record<AlertEventKind, string> = { raised: "Nouvelle alerte", updated: "Alerte aggravée", closed: "Alerte close" };

const MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"];
const frMonth = (month: string) => (/^\d{4}-\d{2}$/.test(month) ? `${MONTHS[Number(month.slice(5, 7)) - 1]} ${month.slice(0, 4)}` : month);
const frDate = (iso: string) => (/^\d{4}-\d{2}-\d{2}$/.test(iso) ? `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}` : iso);
const euros = (v: unknown) => (typeof v === "number" && Number.isSafeInteger(v) ? formatEuros(BigInt(v)) : undefined);
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

interface PeriodLine {
  period: string;
  due?: string;
  paid?: string;
}

/** The amounts the alert's evidence holds: per period (unpaid rent) or one amount (a payment order). */
function amountsOf(summary: AlertSummary): { lines: PeriodLine[]; totals: string[] } {
  const periods = Array.isArray(summary.evidence.periods) ? (summary.evidence.periods as Record<string, unknown>[]) : [];
  const lines = periods.filter((p) => typeof p?.period === "string").map((p) => ({ period: p.period as string, due: euros(p.due), paid: euros(p.paid) }));
  const totals: string[] = [];
  const sum = (key: "due" | "paid") => periods.reduce((s, p) => s + (typeof p?.[key] === "number" ? BigInt(p[key] as number) : 0n), 0n);
  if (lines.length) totals.push(`Total dû : ${formatEuros(sum("due"))} ; total payé : ${formatEuros(sum("paid"))}`);
  const amount = euros(summary.evidence.amount);
  if (amount) totals.push(`Montant : ${amount}`);
  if (typeof summary.evidence.reasonLabel === "string") totals.push(`Motif de la banque : ${summary.evidence.reasonLabel}`);
  if (typeof summary.evidence.date === "string") totals.push(`Date : ${frDate(summary.evidence.date)}`);
  return { lines, totals };
}

const ficheUrl = (publicUrl: string, beneficiaryId: string) => `${publicUrl.replace(/\/+$/, "")}/beneficiaires/${beneficiaryId}`;

/** The lines of one alert, shared by its own mail and the digest. */
function alertLines(summary: AlertSummary, publicUrl: string): string[] {
  const { lines, totals } = amountsOf(summary);
  return [
    `${HEADINGS[summary.kind]} : ${LABELS[summary.type]} pour ${summary.who}`,
    summary.periods.length ? `Périodes : ${summary.periods.map(frMonth).join(", ")}` : "",
    ...lines.map((l) => `  - ${frMonth(l.period)} : dû ${l.due ?? "—"}, payé ${l.paid ?? "—"}`),
    ...totals,
    `Que faire : ${summary.kind === "closed" ? "rien : l'alerte est close, la situation est régularisée ou traitée." : TO_DO[summary.type]}`,
    `Fiche : ${ficheUrl(publicUrl, summary.beneficiaryId)}`,
  ].filter((l) => l !== "");
}

function alertHtml(summary: AlertSummary, publicUrl: string): string {
  const { lines, totals } = amountsOf(summary);
  const link = ficheUrl(publicUrl, summary.beneficiaryId);
  return [
    `<h2>${escapeHtml(`${HEADINGS[summary.kind]} : ${LABELS[summary.type]}`)} pour ${escapeHtml(summary.who)}</h2>`,
    summary.periods.length ? `<p>Périodes : ${escapeHtml(summary.periods.map(frMonth).join(", "))}</p>` : "",
    lines.length
      ? `<table><thead><tr><th>Période</th><th>Dû</th><th>Payé</th></tr></thead><tbody>${lines
          .map((l) => `<tr><td>${escapeHtml(frMonth(l.period))}</td><td>${escapeHtml(l.due ?? "—")}</td><td>${escapeHtml(l.paid ?? "—")}</td></tr>`)
          .join("")}</tbody></table>`
      : "",
    ...totals.map((t) => `<p>${escapeHtml(t)}</p>`),
    `<p><strong>Que faire :</strong> ${escapeHtml(summary.kind === "closed" ? "rien : l'alerte est close, la situation est régularisée ou traitée." : TO_DO[summary.type])}</p>`,
    `<p><a href="${escapeHtml(link)}">Ouvrir la fiche de ${escapeHtml(summary.who)}</a></p>`,
  ].join("\n");
}

const FOOTER = "Message automatique du logiciel MASP. Ne répondez pas : ouvrez la fiche pour agir.";
const page = (body: string) => `<!doctype html><html lang="fr"><head><meta charset="utf-8"></head><body>${body}<p><small>${FOOTER}</small></p></body></html>`;

export function alertMail(summary: AlertSummary, publicUrl: string): MailText {
  const periods = summary.periods.length ? ` (${summary.periods.map(frMonth).join(", ")})` : "";
  const prefix = summary.kind === "closed" ? "Alerte close : " : summary.kind === "updated" ? "Alerte aggravée : " : "";
  return {
    subject: `[MASP] ${prefix}${LABELS[summary.type]} – ${summary.who}${periods}`,
    text: ["Bonjour,", "", ...alertLines(summary, publicUrl), "", FOOTER, ""].join("\n"),
    html: page(`<p>Bonjour,</p>\n${alertHtml(summary, publicUrl)}`),
  };
}

/** One mail for the day's alerts of one person (08:30 Paris). */
export function digestMail(items: readonly AlertSummary[], date: string, publicUrl: string): MailText {
  return {
    subject: `[MASP] Vos alertes du ${frDate(date)} (${items.length})`,
    text: ["Bonjour,", "", `Voici les alertes du ${frDate(date)} :`, "", ...items.flatMap((s) => [...alertLines(s, publicUrl), ""]), FOOTER, ""].join("\n"),
    html: page(`<p>Bonjour,</p>\n<p>Voici les alertes du ${escapeHtml(frDate(date))} :</p>\n${items.map((s) => alertHtml(s, publicUrl)).join("\n<hr>\n")}`),
  };
}

/** A message to admins (a paused webhook): its text carries no personal data. */
export function noticeMail(subject: string, body: string): MailText {
  return { subject: `[MASP] ${subject}`, text: `Bonjour,\n\n${body}\n\n${FOOTER}\n`, html: page(`<p>Bonjour,</p>\n<p>${escapeHtml(body)}</p>`) };
}
