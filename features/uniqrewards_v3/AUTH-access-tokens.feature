@v3 @AUTH
Feature: AUTH - Access tokens for the UNIQREWARDS v3 integration
  As an integrator, I obtain an access token with my client credentials and reuse it while it is
  valid, so that every call is authorised without asking for a token per call; credentials that are
  wrong, or a token without the issuing permission, must never issue a voucher.

  @critical
  Scenario: A token is obtained with the client credentials and reused while valid
    Given a fresh connection with the integrator's client credentials
    When the integrator reads the catalogue 3 times
    Then exactly 1 access token was obtained
    And every call presented the same access token

  @critical
  Scenario: An expired token is renewed
    Given a fresh connection with the integrator's client credentials
    And the integrator has read the catalogue once
    When the access token expires
    And the integrator reads the catalogue again
    Then exactly 1 more access token was obtained
    And the catalogue was read successfully after the renewal

  @normal
  Scenario: Wrong client credentials are refused
    When the integrator asks for a token with a wrong client secret
    Then the token request is refused as an authentication failure

  @critical
  Scenario: A token without the issuing permission cannot issue vouchers
    Given a product of the catalogue to issue, open-value if there is one
    And a connection whose token holds only the read permissions
    When that connection tries to issue 1 voucher of the product
    Then the issuance is refused as not authorised
    And no voucher was issued
