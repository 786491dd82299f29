/** @jsxImportSource hono/jsx */
import { permit, type UiApp } from "../session";

/**
 * The former Paiements page, folded into Virements: money out has one place (pending
 * orders by account and due date with their beneficiary, every kind and method, the
 * remises). Old links and bookmarks are sent there (301) rather than shown a copy at
 * another address, so the address bar always names the page shown.
 */
export function paymentRoutes(ui: UiApp) {
  ui.get("/paiements", permit("operations.view"), (c) => c.redirect("/virements", 301));
}
