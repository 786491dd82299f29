import { friendlyFormatIBAN } from "ibantools";
import type { AlertKind } from "../../domain/finance-alerts";
import { formatEuros } from "../../domain/money";

/** `1 234,56 €` */
export const euros = (cents: bigint | number): string => formatEuros(typeof cents === "bigint" ? cents : BigInt(cents));
/** `05/02/2026` */
const PARIS_DATE_TIME = new Intl.DateTimeFormat("fr-FR", { timeZone: "Europe/Paris", dateStyle: "short", timeStyle: "medium" });
/** An instant as Paris reads it: `27/11/2026 14:50:03`. */
export const frDateTime = (iso: string): string => PARIS_DATE_TIME.format(new Date(iso));
export const frDate = (iso: string | null | undefined): string => (iso ? `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}` : "—");
const MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"];
/** `février 2026` */
export const frMonth = (month: string): string => `${MONTHS[Number(month.slice(5, 7)) - 1]} ${month.slice(0, 4)}`;

export const STATUS_LABELS: Record<string, string> = {
  upcoming: "à venir",
  paid: "payé",
  partial: "partiel",
  unpaid: "impayé",
  pending: "en attente",
  batched: "dans une remise",
  sent: "émis",
  settled: "réglé",
  rejected: "rejeté",
  returned: "retourné",
  cancelled: "annulé",
  open: "ouverte",
  acknowledged: "prise en compte",
  closed: "close",
  active: "en cours",
  renewed: "renouvelée",
  ended: "terminée",
  running: "en cours",
  succeeded: "réussi",
  failed: "échec",
  abandoned: "abandonné",
};
export const KIND_LABELS: Record<string, string> = {
  rent: "Loyer",
  charge: "Charge",
  reversement: "Reversement",
  care: "Aide / soins",
  available: "Disponible",
  living: "Reste à vivre",
  one_off: "Paiement ponctuel",
  final: "Solde de clôture",
  forward: "Reversement hors prestation",
  return_to_payer: "Restitution au payeur",
};
/** How an order reaches its creditor. */
export const METHOD_LABELS: Record<string, string> = { transfer: "Virement", cash: "Espèces", cheque: "Chèque" };
export const ALERT_LABELS: Record<AlertKind, string> = {
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
export const JOB_LABELS: Record<string, string> = {
  "rent-payments": "Paiement des loyers",
  "charge-payments": "Paiement des charges",
  reversements: "Reversements",
  "unpaid-rent-check": "Contrôle des impayés",
  "ledger-verify": "Vérification du grand livre",
  "bank-reconciliation": "Rapprochement bancaire",
  retention: "Purge des traces anciennes",
  "alert-digest": "Récapitulatif quotidien des alertes",
};
export const CATEGORY_LABELS: Record<string, string> = {
  energy: "Énergie",
  water: "Eau",
  insurance: "Assurance",
  debt_plan: "Plan de surendettement",
  telecom: "Téléphone / internet",
  care: "Aide / soins",
  other: "Autre",
};
export const FREQUENCY_LABELS: Record<string, string> = { monthly: "mensuelle", quarterly: "trimestrielle", yearly: "annuelle" };
export const ROLE_LABELS: Record<string, string> = {
  admin: "administrateur",
  finance: "service financier",
  caseworker: "travailleur social",
  manager: "cadre",
};
/** `FR76 3000 6000 0112 3456 7890 189`: read aloud and checked by eye in groups of four. */
export const ibanText = (iban: string | null | undefined): string => (iban ? (friendlyFormatIBAN(iban) ?? iban) : "—");
/** What a proposal (four eyes) would do. */
export const PROPOSAL_LABELS: Record<string, string> = {
  "beneficiary.update": "Changement d'IBAN du bénéficiaire",
  "lease.set": "Bail avec un autre IBAN de bailleur",
  "suspense.assign": "Décision sur une ligne de relevé en attente",
  "charge.update": "Changement d'IBAN d'un créancier",
  "transaction.reverse": "Annulation d'un versement",
  "overpayment.recover": "Récupération d'un indu",
  "payment.one_off": "Paiement ponctuel",
  "measure.pay_held_funds": "Paiement des fonds conservés après la clôture",
};
