import { PASSWORD_ISSUE_FR } from "../../auth/password-policy";
import { DomainError, type DomainErrorCode } from "../../domain/errors";

/**
 * The services speak English to developers; finance staff read French. A refusal
 * becomes one French sentence per field, keyed by the stable codes the services
 * give (never by their English wording).
 */
const ISSUE_FR: Record<string, string> = {
  required: "à renseigner",
  in_the_future: "la date est dans le futur",
  past_date: "la date est passée : choisissez aujourd'hui ou une date à venir",
  charge_not_allowed: "seule l'enveloppe d'une charge désigne une charge",
  iban_not_for_cash: "les espèces et les chèques ne vont vers aucun IBAN",
  under_18: "la personne doit être majeure (18 ans) à cette date",
  end_before_start: "la date de fin précède la date de début",
  too_short: "une période de contrat dure au moins 6 mois (R.271-2)",
  too_long: "une période de contrat dure au plus 24 mois (R.271-2)",
  over_48_months: "une mesure et ses renouvellements ne peuvent dépasser 48 mois au total (L.271-2)",
  end_before_effective: "la nouvelle date de fin précède la prise d'effet de l'avenant",
  estate_held: "au décès, les fonds sont conservés pour la succession : choisissez « conserver »",
  no_iban: "la personne n'a pas d'IBAN : indiquez un autre créancier, ou payez en espèces ou par chèque",
  estate_creditor: "indiquez le notaire ou les héritiers (nom et IBAN)",
  before_end: "la clôture a lieu à la date de fin ou après",
  masp1_manages_nothing: "une MASP 1 ne gère aucune prestation",
  masp2_needs_prestations: "cochez au moins une prestation gérée",
  unknown_prestation: "prestation absente de la liste de l'art. D.271-2",
  needs_extension: "les prestations des items 18 à 29 demandent l'extension du contrat (R.271-3)",
  mjagbf: "pas d'extension en présence d'une mesure judiciaire d'aide à la gestion du budget familial",
  too_large: "l'APL versée au bailleur dépasse le loyer et les charges",
  in_the_past: "les mois passés gardent leurs montants : choisissez le mois en cours ou un mois à venir",
  month_begun: "les montants du mois en cours sont déjà arrêtés : choisissez un mois à venir",
  before_lease: "ce mois précède le début du bail",
  not_allowed: "sans objet pour cette fréquence",
  one_month: "une charge annuelle tombe un seul mois",
  quarterly_months: "une charge trimestrielle tombe quatre mois espacés de trois (ex. 1, 4, 7, 10)",
  unknown_caseworker: "aucun travailleur social actif ne porte cet identifiant",
  forbidden_reassignment: "seul un administrateur peut changer le référent",
  not_a_prestation: "ce n'est pas une prestation sociale de l'art. D.271-2 (salaires, ARE/ASS, pensions ordinaires, prime d'activité sont refusés)",
  control_characters: "caractères de contrôle interdits (caractère nul, tabulation…)",
  malformed_unicode: "texte mal formé (caractère Unicode invalide)",
  date_out_of_range: "date hors limites : entre 1900 et 2100",
  self_substitute: "le remplaçant est une autre personne que vous",
  unknown_substitute: "aucun membre actif de l'équipe ne porte cet identifiant",
  not_managed: "cette prestation n'est pas gérée par la mesure en vigueur à la date de valeur",
  unknown_payer: "cet organisme n'est pas dans la liste des payeurs : ajoutez-le sur la page Payeurs",
  payer_without_iban: "cet organisme n'a pas d'IBAN pour le remboursement : renseignez-le sur la page Payeurs",
  final_transfer_no_iban: "la personne n'a pas d'IBAN pour le dernier virement : payez en espèces ou par chèque, ou conservez les fonds",
  ...PASSWORD_ISSUE_FR,
};

const ERROR_FR: Partial<Record<DomainErrorCode, string>> = {
  validation_failed: "La saisie est incomplète ou incorrecte.",
  not_found: "Ce bénéficiaire n'existe pas ou ne fait pas partie de vos accompagnements.",
  conflict: "L'opération est en conflit avec l'existant.",
  idempotency_conflict: "Cette saisie a déjà été confirmée avec d'autres valeurs : recommencez la saisie.",
  no_active_measure: "Aucune mesure MASP 2 en cours à la date de valeur.",
  measure_ended: "La mesure a pris fin : ouvrez une nouvelle mesure ou vérifiez la date.",
  prestation_not_managed: "Cette prestation ne peut pas entrer sur le compte géré.",
  insufficient_funds: "Fonds insuffisants.",
  forbidden: "Cette action revient à une autre équipe (service financier ou travailleur social).",
};

/** A stable issue code of the services (or of a form's rule), in French. */
export const issueInFrench = (code: string): string => ISSUE_FR[code] ?? "valeur refusée";

export interface Refusal {
  /** The sentence at the top of the form. */
  summary: string;
  /** French message per form field name (`landlord.iban`, `managedPrestations`…). */
  fields: Record<string, string>;
}

/** Field paths of the services and of the schemas, as the form names them (list items belong to their list). */
export const fieldName = (path: string) => path.replace(/\.\d+$/, "");

/**
 * A service's refusal, in French. `conflict` texts depend on the operation, so the page
 * gives them. Anything that is not a refusal (a bug, the database away) is rethrown;
 * malformed input never gets here: the form's schema reported it (form-input.ts).
 */
export function refusal(error: unknown, conflicts: Partial<Record<DomainErrorCode, string>> = {}): Refusal {
  if (error instanceof DomainError) {
    const fields: Record<string, string> = {};
    const details = Array.isArray(error.details) ? (error.details as { field?: string; code?: string; message?: string }[]) : [];
    for (const d of details) {
      if (!d.field) continue;
      fields[fieldName(d.field)] ??= d.code ? issueInFrench(d.code) : "valeur refusée";
    }
    return { summary: conflicts[error.code] ?? ERROR_FR[error.code] ?? "L'opération a été refusée.", fields };
  }
  throw error;
}
