/** @jsxImportSource hono/jsx */
import { permit, type UiApp } from "../session";
import { transfersPage } from "./transfers";

/**
 * The former Paiements page, folded into Virements: money out has one place (pending
 * orders by account and due date with their beneficiary, every kind and method, the
 * remises). Old links and bookmarks show the same page.
 */
export function paymentRoutes(ui: UiApp) {
  ui.get("/paiements", permit("operations.view"), (c) => transfersPage(c));
}
