// Changes to tickets that many tests make through the API, refusing to go on when the API refused.
import { ENGINEER, Person, TestServer } from './test-server';

/** Moves a ticket to `status` (as an engineer by default); throws with the answer when the API refused. */
export async function setStatus(server: TestServer, ticketId: string, status: string, as: Person = ENGINEER): Promise<void> {
  const result = await server.gql(
    `mutation($input: TicketUpdateStatusInput!) { ticketUpdateStatus(input: $input) { userErrors { code message } } }`,
    { input: { ticketId, status } },
    as,
  );
  if (result.data?.ticketUpdateStatus?.userErrors?.length !== 0) throw new Error(`ticketUpdateStatus failed: ${JSON.stringify(result)}`);
}
