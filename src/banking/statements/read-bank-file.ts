import { type BankFile, BankFileError } from "./types";

/**
 * Placeholder with the interface of the parser branch (`statement-files`), replaced by it
 * when that branch lands: until then every file is refused as unreadable.
 */
export async function readBankFile(_input: AsyncIterable<Uint8Array> | Uint8Array): Promise<BankFile> {
  throw new BankFileError("neither camt.053, pain.002 nor CFONB 120");
}
