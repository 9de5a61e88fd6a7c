@v2 @V2-IDEM
Feature: V2-IDEM - Issue recovery with the same X-Correlation-Id
  As an integrator, when I cannot tell whether a voucher request was processed, I send the identical
  request again with the same X-Correlation-Id and get the vouchers already issued: production
  issuance is invoiced, so recovery must never issue twice.

  Background:
    Given a product of the catalogue file

  @critical
  Scenario: The response is lost after the provider issued the vouchers
    Given the network will lose the response to the next voucher request
    When the integrator requests 2 vouchers of the product with a new correlation id
    Then the retry with the same correlation id returned the vouchers of the lost response
    And checking the vouchers confirms them
    And the provider recorded exactly one issuance for the correlation id

  @critical
  Scenario: The request is lost before it reached the provider
    Given the network will lose the next voucher request before it is sent
    When the integrator requests 2 vouchers of the product with a new correlation id
    Then the retry with the same correlation id received 2 vouchers
    And checking the vouchers confirms them
    And the provider recorded exactly one issuance for the correlation id

  @critical @sandbox_only
  Scenario: The provider answers with its documented internal error after issuing
    Given the provider will answer its next voucher request with an internal error after issuing
    When the integrator requests 2 vouchers of the product with a new correlation id
    Then the first attempt was answered with the documented internal error "ERV1102"
    And the retry with the same correlation id received 2 vouchers
    And checking the vouchers confirms them
    And the provider recorded exactly one issuance for the correlation id

  @critical @sandbox_only
  Scenario: The provider fails before issuing
    Given the provider will fail its next voucher request before issuing
    When the integrator requests 2 vouchers of the product with a new correlation id
    Then the first attempt was answered with an internal error
    And the retry with the same correlation id received 2 vouchers
    And checking the vouchers confirms them
    And the provider recorded exactly one issuance for the correlation id

  @critical
  Scenario: The identical request sent again with the same correlation id returns the same vouchers
    Given 2 vouchers of the product were requested with a new correlation id
    When the integrator sends the identical request again with the same correlation id
    Then the same vouchers are returned, every documented detail as first issued
    And the provider recorded exactly one issuance for the correlation id

  @critical
  Scenario: A new correlation id with a request identical to an earlier one issues new vouchers
    Given 1 voucher of the product was requested with a new correlation id
    When the integrator requests 1 more voucher of the product with another new correlation id
    Then the second request returned vouchers different from the first
    And the provider recorded one issuance for each correlation id

  @normal
  Scenario Outline: The same correlation id with <difference> never issues again
    Given 1 voucher of the product was requested with a new correlation id
    When the integrator sends a request with <difference> and the same correlation id
    Then the different request got neither a new voucher nor the vouchers of the first request
    And the provider recorded exactly one issuance for the correlation id

    Examples:
      | difference         |
      | another quantity   |
      | another product    |
      | another face value |
