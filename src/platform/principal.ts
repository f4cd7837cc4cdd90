/** Who is calling: the user a token acts for, through which app, with which scopes. */
export interface Principal {
  readonly userId: string;
  readonly appId: string;
  readonly scopes: ReadonlySet<string>;
  /**
   * A client_credentials token: the app acting alone (signed-out traffic). `userId` is then the app's
   * owner, for what needs an account; what serves people treats the request as the device it names.
   */
  readonly appOnly?: boolean;
}

/** Turns a bearer token into a principal; undefined for unknown, expired or revoked tokens. */
export interface Authenticator {
  (token: string): Promise<Principal | undefined>;
  /**
   * The same answer without waiting, when it is at hand (a principal cached on this node): the
   * principal, null for a token known to be invalid, undefined when only the call can tell.
   */
  held?(token: string): Principal | null | undefined;
}
