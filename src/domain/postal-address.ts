/**
 * A postal address as SEPA files (structured or hybrid, from November 2026: town and
 * country at least) and a MASP 3 request (R.271-8: the person, the landlord, the payers)
 * need it. `country` is ISO 3166 alpha-2.
 */
export interface PostalAddress {
  street?: string;
  postalCode?: string;
  town: string;
  country: string;
}
