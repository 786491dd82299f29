import { isoDate } from "./amounts";
import type { PaymentStatusReport } from "./types";
import type { XmlHandler, XmlPathReader } from "./xml-reader";

const ROOT = "/Document/CstmrPmtStsRpt";
const GROUP = `${ROOT}/OrgnlGrpInfAndSts`;
const PMT_INF = `${ROOT}/OrgnlPmtInfAndSts`;
const TX = `${PMT_INF}/TxInfAndSts`;

/** Every element the reader looks at. */
export const PAIN002_PATHS = [
  `${ROOT}/GrpHdr/CreDtTm`,
  `${GROUP}/OrgnlMsgId`,
  `${GROUP}/GrpSts`,
  `${GROUP}/StsRsnInf/Rsn/Cd`,
  `${PMT_INF}/OrgnlPmtInfId`,
  `${PMT_INF}/PmtInfSts`,
  `${PMT_INF}/StsRsnInf/Rsn/Cd`,
  `${TX}/OrgnlEndToEndId`,
  `${TX}/TxSts`,
  `${TX}/StsRsnInf/Rsn/Cd`,
  `${TX}/AccptncDtTm`,
];

interface Transaction {
  endToEndId: string | null;
  status: string | null;
  reason: string | null;
  date: string | null;
}

interface PaymentInformation {
  id: string | null;
  status: string | null;
  reason: string | null;
  transactions: Transaction[];
}

const given = (text: string): string | null => (text === "" || text.toUpperCase() === "NOTPROVIDED" ? null : text);

/**
 * Reads a pain.002 status report (.001.03 and .001.10, the same paths for what we read):
 * the status of our pain.001 as a whole, of each payment information block and of each
 * transaction. A transaction without its own status takes its block's, then the group's.
 */
export class Pain002Reader implements XmlHandler {
  private createdOn: string | null = null;
  private originalMessageId: string | null = null;
  private groupStatus: string | null = null;
  private groupReason: string | null = null;
  private readonly blocks: PaymentInformation[] = [];
  private block: PaymentInformation | null = null;
  private transaction: Transaction | null = null;

  constructor(private readonly xml: XmlPathReader) {}

  open(path: string): void {
    if (path === PMT_INF) this.block = { id: null, status: null, reason: null, transactions: [] };
    else if (path === TX) this.transaction = { endToEndId: null, status: null, reason: null, date: null };
  }

  close(path: string, text: string): void {
    switch (path) {
      case `${ROOT}/GrpHdr/CreDtTm`:
        this.createdOn = isoDate(text);
        break;
      case `${GROUP}/OrgnlMsgId`:
        this.originalMessageId = given(text);
        break;
      case `${GROUP}/GrpSts`:
        this.groupStatus = given(text);
        break;
      case `${GROUP}/StsRsnInf/Rsn/Cd`:
        this.groupReason ??= given(text);
        break;
      case `${PMT_INF}/OrgnlPmtInfId`:
        this.block!.id = given(text);
        break;
      case `${PMT_INF}/PmtInfSts`:
        this.block!.status = given(text);
        break;
      case `${PMT_INF}/StsRsnInf/Rsn/Cd`:
        this.block!.reason ??= given(text);
        break;
      case `${TX}/OrgnlEndToEndId`:
        this.transaction!.endToEndId = given(text);
        break;
      case `${TX}/TxSts`:
        this.transaction!.status = given(text);
        break;
      case `${TX}/StsRsnInf/Rsn/Cd`:
        this.transaction!.reason ??= given(text);
        break;
      case `${TX}/AccptncDtTm`:
        this.transaction!.date = isoDate(text);
        break;
      case TX:
        this.block!.transactions.push(this.transaction!);
        this.transaction = null;
        break;
      case PMT_INF:
        this.blocks.push(this.block!);
        this.block = null;
        break;
    }
  }

  report(): PaymentStatusReport {
    if (!this.originalMessageId) throw this.xml.error("the status report names no original message (OrgnlGrpInfAndSts/OrgnlMsgId)");
    const transactions: PaymentStatusReport["transactions"] = [];
    for (const block of this.blocks) {
      for (const tx of block.transactions) {
        const status = tx.status ?? block.status ?? this.groupStatus;
        // Without an EndToEndId or a status the line cannot be matched to an order.
        if (!tx.endToEndId || !status) continue;
        transactions.push({ endToEndId: tx.endToEndId, status, reasonCode: tx.reason ?? block.reason ?? this.groupReason, date: tx.date ?? this.createdOn });
      }
    }
    return {
      originalMessageId: this.originalMessageId,
      groupStatus: this.groupStatus,
      groupReason: this.groupReason,
      transactions,
      paymentInformations: this.blocks
        .filter((block): block is PaymentInformation & { id: string } => block.id !== null)
        .map((block) => ({ paymentInformationId: block.id, status: block.status, reasonCode: block.reason })),
    };
  }
}
