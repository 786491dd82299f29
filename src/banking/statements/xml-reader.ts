import { SaxesParser } from "saxes";
import { BankFileError } from "./types";

/** What a reader sees of the elements it asked for: their path from the root, text and attributes. */
export interface XmlHandler {
  open(path: string, attributes: Record<string, string>): void;
  close(path: string, text: string, attributes: Record<string, string>): void;
}

interface PathNode {
  path: string;
  children: Map<string, PathNode>;
}

const localName = (name: string) => {
  const colon = name.indexOf(":");
  return colon < 0 ? name : name.slice(colon + 1);
};

/**
 * Streams XML text through a SAX parser and reports the elements named by `paths` (paths of
 * local names, `/Document/BkToCstmrStmt/Stmt/Ntry/Amt`: prefixes dropped, so `ns2:Document`
 * reads as `Document`); every other subtree is skipped without building a string, which
 * keeps a 150 MB statement fast. A DOCTYPE is refused (no entity can be declared, so none
 * can expand).
 */
export class XmlPathReader {
  private readonly parser: SaxesParser;
  private readonly root: PathNode = { path: "", children: new Map() };
  private readonly stack: PathNode[] = [];
  private readonly attributeStack: Record<string, string>[] = [];
  /** Depth inside a subtree no path names (0: on a named element). */
  private skipped = 0;
  private depth = 0;
  private text = "";
  private handler: XmlHandler | null = null;
  private failure: BankFileError | null = null;

  constructor(paths: Iterable<string>) {
    for (const path of paths) {
      let node = this.root;
      for (const name of path.split("/").slice(1)) {
        let child = node.children.get(name);
        if (!child) {
          child = { path: `${node.path}/${name}`, children: new Map() };
          node.children.set(name, child);
        }
        node = child;
      }
    }
    this.parser = new SaxesParser({ position: true });
    this.parser.on("opentag", (tag) => {
      this.depth++;
      if (this.skipped > 0) {
        this.skipped++;
        return;
      }
      const parent = this.stack.length > 0 ? this.stack[this.stack.length - 1]! : this.root;
      const node = parent.children.get(localName(tag.name));
      if (!node) {
        this.skipped = 1;
        return;
      }
      const attributes = tag.attributes as Record<string, string>;
      this.stack.push(node);
      this.attributeStack.push(attributes);
      this.text = "";
      this.handler?.open(node.path, attributes);
    });
    this.parser.on("closetag", () => {
      this.depth--;
      if (this.skipped > 0) {
        this.skipped--;
        return;
      }
      const node = this.stack.pop()!;
      const attributes = this.attributeStack.pop()!;
      this.handler?.close(node.path, this.text.trim(), attributes);
      this.text = "";
    });
    this.parser.on("text", (text) => {
      if (this.skipped === 0) this.text += text;
    });
    this.parser.on("cdata", (text) => {
      if (this.skipped === 0) this.text += text;
    });
    this.parser.on("doctype", () => {
      throw this.error("a DOCTYPE is not accepted in a bank file");
    });
    this.parser.on("error", (error) => {
      // saxes prefixes its message with the position; ours says the line once.
      this.failure ??= this.error(`not well-formed XML: ${error.message.replace(/^(?:[^:]*:)?\d+:\d+: /, "")}`);
      throw this.failure;
    });
  }

  /** The 1-based line the parser is on, for error messages. */
  get line(): number {
    return this.parser.line;
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
    if (this.depth > 0) throw this.error("the file ends before its last element is closed (truncated?)");
  }
}
