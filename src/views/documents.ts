/** Read-only text documents for reports a person reads (the correlation report, the health check). */
import * as vscode from 'vscode';
import { DOCUMENT_SCHEME } from './constants';
import { Disposable } from './lifecycle';

export class ReportDocuments extends Disposable implements vscode.TextDocumentContentProvider {
  private readonly contents = new Map<string, string>();
  private readonly changeEmitter = this._register(new vscode.EventEmitter<vscode.Uri>());
  readonly onDidChange = this.changeEmitter.event;

  constructor() {
    super();
    this._register(vscode.workspace.registerTextDocumentContentProvider(DOCUMENT_SCHEME, this));
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.path) ?? 'This report is no longer available: run its command again.\n';
  }

  /** Opens (or updates) the read-only document `name` with `content`. */
  async show(name: string, content: string, languageId = 'plaintext'): Promise<vscode.TextEditor> {
    const uri = vscode.Uri.from({ scheme: DOCUMENT_SCHEME, path: `/${name}` });
    const known = this.contents.has(uri.path);
    this.contents.set(uri.path, content);
    if (known) this.changeEmitter.fire(uri);
    let doc = await vscode.workspace.openTextDocument(uri);
    if (doc.languageId !== languageId) doc = await vscode.languages.setTextDocumentLanguage(doc, languageId);
    return vscode.window.showTextDocument(doc, { preview: false });
  }

  /** The text last shown under `name` (tests). */
  content(name: string): string | undefined {
    return this.contents.get(`/${name}`);
  }
}
