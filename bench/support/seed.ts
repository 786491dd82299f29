import postgres from "postgres";

/**
 * Seeds `count` beneficiaries with an active MASP2 measure (RSA, AAH, ALS, APA), a
 * lease (45 000 + 5 000, due on the 5th), one EDF charge and their ledger envelopes,
 * in a few set-based statements (minutes through the API would measure the seeding).
 */
export async function seedBeneficiaries(url: string, count: number, start = "2026-01-01"): Promise<string[]> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const ids = await sql.begin(async (tx) => {
      const rows = await tx<{ id: string }[]>`
        insert into beneficiaries (id, first_name, last_name, birth_date, caf_number, iban)
        select gen_random_uuid(), 'Prénom' || g, 'Nom' || g, date '1970-01-01' + (g % 9000), lpad(g::text, 7, '0'), 'FR7630006000011234567890189'
          from generate_series(1, ${count}) g returning id`;
      await tx`
        with b as (select id from beneficiaries)
        insert into measures (id, beneficiary_id, level, start_date, end_date, status, managed_prestations, catalogue_version)
        select gen_random_uuid(), id, 'MASP2', ${start}::date, ${start}::date + interval '2 years' - interval '1 day', 'active',
               '{RSA,AAH,ALS,APA}', 'D271-2/2016' from b`;
      await tx`
        insert into leases (id, beneficiary_id, landlord_name, landlord_iban, due_day, start_date)
        select gen_random_uuid(), id, 'Bailleur ' || left(id::text, 8), 'FR1420041010050500013M02606', 5, ${start}::date from beneficiaries`;
      await tx`
        insert into lease_terms (id, lease_id, effective_month, rent, charges, housing_benefit_to_landlord)
        select gen_random_uuid(), id, date_trunc('month', start_date)::date, 45000, 5000, 0 from leases`;
      await tx`
        insert into charges (id, beneficiary_id, label, category, amount, due_day, priority, creditor_name, creditor_iban, start_date)
        select gen_random_uuid(), id, 'EDF', 'energy', 6000, 15, 1, 'EDF', 'FR1420041010050500013M02606', ${start}::date from beneficiaries`;
      await tx`
        insert into ledger_accounts (address, beneficiary_id, label, normal_side, pcg_account, allow_negative, balance_cached)
        select 'beneficiary:' || b.id || ':' || e, b.id, 'Enveloppe ' || e, 'credit', '4671', false, true
          from beneficiaries b, unnest(array['rent', 'available']) e
        union all
        select 'beneficiary:' || c.beneficiary_id || ':charge:' || c.id, c.beneficiary_id, 'Enveloppe charge', 'credit', '4671', false, true from charges c
        on conflict (address) do nothing`;
      return rows.map((r) => r.id);
    });
    await sql`analyze`;
    return ids;
  } finally {
    await sql.end();
  }
}

/** One credit per beneficiary, allocated as the service would (rent 50 000, EDF 6 000, available 4 775), set-based. */
export async function seedCredits(url: string) {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const ids = (await sql<{ id: string }[]>`select id from beneficiaries order by id`).map((r) => r.id);
    for (let i = 0; i < ids.length; i += 10_000) {
      const chunk = `{${ids.slice(i, i + 10_000).join(",")}}`;
      await sql.begin(async (tx) => {
        await tx`
          with b as (
            select b.id as beneficiary_id, gen_random_uuid() as txn_id, c.id as charge_id, m.id as measure_id
              from beneficiaries b join charges c on c.beneficiary_id = b.id join measures m on m.beneficiary_id = b.id
             where b.id = any(${chunk}::uuid[])
          ), t as (
            insert into ledger_transactions (id, kind, value_date, description, idempotency_key, content_hash, metadata, actor, beneficiary_id)
            select txn_id, 'credit', '2026-01-03', 'CAF RSA', 'seed:' || txn_id, md5(txn_id::text), '{}', 'bench', beneficiary_id from b
            returning id
          ), c as (
            insert into credits (id, beneficiary_id, measure_id, payer, prestation, amount, value_date, reference, allocations)
            select txn_id, beneficiary_id, measure_id, 'CAF', 'RSA', 60775, '2026-01-03', null, '[]' from b
          )
          insert into ledger_postings (transaction_id, account_id, direction, amount, value_date)
          select b.txn_id, a.id, p.direction, p.amount, date '2026-01-03'
            from b cross join lateral (values
              ('bank:main', 'debit', 60775::bigint),
              ('beneficiary:' || b.beneficiary_id || ':rent', 'credit', 50000),
              ('beneficiary:' || b.beneficiary_id || ':charge:' || b.charge_id, 'credit', 6000),
              ('beneficiary:' || b.beneficiary_id || ':available', 'credit', 4775)) p(address, direction, amount)
            join ledger_accounts a on a.address = p.address`;
      });
    }
    await sql`analyze`;
  } finally {
    await sql.end();
  }
}
