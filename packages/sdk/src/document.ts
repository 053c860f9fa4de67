// What the client sends of a document: its text, and its operation's name and kind. The SDK's own documents are text
// already (compact, each fragment once: _generated/sdk.ts); a DocumentNode of the app's (a TypedDocumentNode, `gql`)
// is printed with graphql (a peer dependency), imported only then: an app that uses the SDK's methods alone does
// not bundle graphql's printer (bundlers put it in a chunk of its own, loaded on first use).
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import type { DocumentNode } from 'graphql';
import type { Document } from './_generated/sdk.js';

/** A document the client runs: the SDK's own (text), or any DocumentNode, typed or not. */
export type AnyDocument<R, V> = Document<R, V> | TypedDocumentNode<R, V> | DocumentNode;

export interface Operation {
  query: string;
  operationName: string | undefined;
  kind: 'query' | 'mutation' | 'subscription' | undefined;
}

/** A document given as text starts with its operation (its fragments follow), as the SDK's own do. */
const OPERATION_HEAD = /^\s*(query|mutation|subscription)\b\s*([_A-Za-z][_0-9A-Za-z]*)?/;

export async function operationOf(document: AnyDocument<unknown, unknown>): Promise<Operation> {
  if (typeof document === 'string') {
    const head = OPERATION_HEAD.exec(document);
    return { query: document, operationName: head?.[2], kind: (head?.[1] as Operation['kind']) ?? 'query' };
  }
  const { getOperationAST, print } = await import('graphql');
  const operation = getOperationAST(document);
  return { query: print(document), operationName: operation?.name?.value, kind: operation?.operation };
}
