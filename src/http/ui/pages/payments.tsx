/** @jsxImportSource hono/jsx */
import { PAYMENT_KINDS } from "../../../domain/payment-plans";
import { listPaymentOrders } from "../../../services/payments/payment-orders";
import { euros, frDate, frMonth, ibanText, KIND_LABELS, STATUS_LABELS } from "../format";
import { Badge } from "../layout";
import { permit, render, type UiApp } from "../session";

/** Pending payment orders, grouped by kind, by date within a kind. */
export function paymentRoutes(ui: UiApp) {
  ui.get("/paiements", permit("operations.view"), async (c) => {
    const orders = await listPaymentOrders({ ctx: c.get("ctx"), data: { status: "pending", limit: 500 } });
    const total = orders.reduce((s, o) => s + o.amount, 0n);
    return render(
      c,
      "Paiements",
      <>
        <h1>Paiements en attente</h1>
        <p>
          {orders.length} ordre(s) pour {euros(total)}
          {orders.length === 500 ? " (les 500 premiers)" : ""}
        </p>
        {PAYMENT_KINDS.map((kind) => {
          const rows = orders.filter((o) => o.kind === kind).sort((a, b) => a.businessDate.localeCompare(b.businessDate));
          const sum = rows.reduce((s, o) => s + o.amount, 0n);
          return (
            <section aria-labelledby={`k-${kind}`}>
              <h2 id={`k-${kind}`}>
                {KIND_LABELS[kind]} — {rows.length} ordre(s), {euros(sum)}
              </h2>
              {rows.length ? (
                <table>
                  <caption class="sr-only">{KIND_LABELS[kind]} en attente</caption>
                  <thead>
                    <tr>
                      <th scope="col">Date</th>
                      <th scope="col">Période</th>
                      <th scope="col">Créancier</th>
                      <th scope="col">IBAN</th>
                      <th scope="col" class="num">
                        Montant
                      </th>
                      <th scope="col">Statut</th>
                    </tr>
                  </thead>
                  <tbody>
                    {rows.map((o) => (
                      <tr>
                        <td>{frDate(o.businessDate)}</td>
                        <td>{o.period ? frMonth(o.period) : "—"}</td>
                        <td>
                          <a href={`/beneficiaires/${o.beneficiaryId}`}>{o.creditorName}</a>
                        </td>
                        <td class="iban">{ibanText(o.creditorIban)}</td>
                        <td class="num">{euros(o.amount)}</td>
                        <td>
                          <Badge value={o.status} label={STATUS_LABELS[o.status] ?? o.status} />
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              ) : (
                <p class="muted">Aucun ordre en attente.</p>
              )}
            </section>
          );
        })}
      </>,
    );
  });
}
