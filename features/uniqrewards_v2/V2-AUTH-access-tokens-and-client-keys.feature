@v2 @V2-AUTH
Feature: V2-AUTH - Access tokens and client keys for the UNIQREWARDS v2 integration
  As an integrator on v2, I obtain an access token with my client id and secret and reuse it while it
  is valid; every voucher call also carries my X-Client-Id and X-Client-Secret, so that the provider
  checks both. Wrong credentials must never issue a voucher.

  @critical
  Scenario: A token is obtained with the client credentials and reused while valid
    Given a fresh v2 connection with the integrator's credentials
    And a voucher issued to the integrator
    When the integrator checks that voucher 3 times with one access token
    Then every check was answered on that access token and the integrator's client keys

  @critical
  Scenario: An expired token is renewed
    Given a fresh v2 connection with the integrator's credentials
    And a voucher issued to the integrator
    And the integrator has checked that voucher once
    When the v2 access token expires
    And the integrator checks that voucher again with a renewed access token
    Then the voucher was checked successfully after the renewal

  @normal
  Scenario: A wrong client secret gets no token
    When the integrator asks for a v2 access token with a wrong client secret
    Then no access token is issued

  @critical
  Scenario Outline: A voucher request with <problem> is refused
    Given a product of the catalogue file
    When the integrator requests 1 voucher of it with <problem>
    Then the request is refused
    And nothing was issued for it

    Examples:
      | problem                   |
      | a wrong client secret key |
      | no client keys            |
      | no access token           |
