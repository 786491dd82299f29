import sax from "sax";
import { BankFileError } from "./types";

/** What a reader sees when an element closes: its path from the root, its text and attributes. */
export interface XmlHandler {
  open(path: string, attributes: Record<string, string>): void;
  close(path: string, text: string, attributes: Record<string, string>): void;
}

const localName = (name: string) => {
  const colon = name.indexOf(":");
  return colon < 0 ? name : name.slice(colon + 1);
};

/**
 * Streams XML text through a SAX parser and reports each element by its path of local
 * names (`/Document/BkToCstmrStmt/Stmt/Ntry/Amt`): prefixes dropped, so `ns2:Document`
 * reads as `Document`. Only leaf text matters in bank files; a DOCTYPE is refused (no
 * entity can be declared, so none can expand).
 */
export class XmlPathReader {
  private readonly parser: sax.SAXParser;
  private path = "";
  private readonly lengths: number[] = [];
  private readonly attributes: Record<string, string>[] = [];
  private text = "";
  private handler: XmlHandler | null = null;
  private failure: BankFileError | null = null;

  constructor() {
    this.parser = sax.parser(true, { trim: false, normalize: false, position: true });
    this.parser.onopentag = (node) => {
      this.lengths.push(this.path.length);
      this.path += `/${localName(node.name)}`;
      const attributes = node.attributes as Record<string, string>;
      this.attributes.push(attributes);
      this.text = "";
      this.handler?.open(this.path, attributes);
    };
    this.parser.onclosetag = () => {
      const attributes = this.attributes.pop() ?? {};
      this.handler?.close(this.path, this.text.trim(), attributes);
      this.path = this.path.slice(0, this.lengths.pop() ?? 0);
      this.text = "";
    };
    this.parser.ontext = (text) => {
      this.text += text;
    };
    this.parser.oncdata = (text) => {
      this.text += text;
    };
    this.parser.ondoctype = () => {
      throw this.error("a DOCTYPE is not accepted in a bank file");
    };
    this.parser.onerror = (error) => {
      this.failure ??= this.error(`not well-formed XML: ${error.message.split("\n")[0]}`);
      throw this.failure;
    };
  }

  /** The 1-based line the parser is on, for error messages. */
  get line(): number {
    return this.parser.line + 1;
  }

  error(message: string): BankFileError {
    return new BankFileError(`${message} (line ${this.line})`, this.line);
  }

  setHandler(handler: XmlHandler): void {
    this.handler = handler;
  }

  write(text: string): void {
    if (this.failure) throw this.failure;
    this.parser.write(text);
  }

  end(): void {
    if (this.failure) throw this.failure;
    this.parser.close();
    if (this.lengths.length > 0) throw this.error("the file ends before its last element is closed (truncated?)");
  }
}
